package io.spotsh.workflow;

import io.spotsh.common.Log;
import io.spotsh.registry.TestRecords;
import io.spotsh.registry.TestRecords.InterruptionNotice;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Spot interruption notices the test's nodes reported (each node's watcher polls its instance metadata and calls
 * the registry the moment a notice appears), shown once each: {@code i-... (data-7) will be interrupted at
 * 12:04:10} (UTC). {@link #start} looks every {@link #EVERY} in the background while {@code await} or a phase
 * runs, so the line comes at once, not at the next round; {@code cluster.status()} looks once.
 */
final class InterruptionWatch implements AutoCloseable {
    static final Duration EVERY = Duration.ofSeconds(1);
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final ScheduledExecutorService timer;

    private InterruptionWatch(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /** Looks now and then every {@link #EVERY} until closed; a registry that does not answer is asked again later. */
    static InterruptionWatch start(TestRecords records, TestRun run, Log log) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "interruption-watch " + run.name);
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                show(records, run, log);
            } catch (RuntimeException e) {
                // the registry is busy or restarting: the notice stays there for the next look
            }
        }, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return new InterruptionWatch(timer);
    }

    /** Shows the notices not shown yet by this process; returns them. */
    static List<InterruptionNotice> show(TestRecords records, TestRun run, Log log) {
        List<InterruptionNotice> shown = new ArrayList<>();
        for (InterruptionNotice n : records.interruptionNotices(run.name)) {
            if (run.noticed.add(n.instanceId())) {
                log.log(line(n.instanceId(), n.role() + "-" + n.number(), n.action(), n.at().toInstant()));
                shown.add(n);
            }
        }
        return shown;
    }

    /** For {@code cluster.status()}: every notice of a node still registered, shown each time it is asked. */
    static void pending(TestRecords records, TestRun run, Log log) {
        for (InterruptionNotice n : records.interruptionNotices(run.name)) {
            if (n.live()) {
                run.noticed.add(n.instanceId());
                log.log(line(n.instanceId(), n.role() + "-" + n.number(), n.action(), n.at().toInstant()));
            }
        }
    }

    /** {@code i-... (data-7) will be interrupted at 12:04:10}; stop and hibernate say so. */
    static String line(String instanceId, String node, String action, Instant at) {
        String what = switch (action == null ? "terminate" : action) {
            case "stop" -> "stopped";
            case "hibernate" -> "hibernated";
            default -> "interrupted";
        };
        return instanceId + " (" + node + ") will be " + what + " at " + clock(at);
    }

    /** The nodes a phase that ran from {@code start} to {@code end} lost or will lose: noticed by the end, due after the start. */
    static List<InterruptionNotice> during(TestRecords records, String test, OffsetDateTime start, OffsetDateTime end) {
        return records.interruptionNotices(test).stream()
                .filter(n -> !n.at().isBefore(start) && (n.reportedAt() == null || !n.reportedAt().isAfter(end)))
                .toList();
    }

    static String clock(Instant at) {
        return CLOCK.format(at.atOffset(ZoneOffset.UTC));
    }

    @Override
    public void close() {
        timer.shutdown();  // not shutdownNow: a look under way finishes its query and its line
        try {
            timer.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
