package io.spotsh.cloud.aws;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.retry.RetryUtils;
import software.amazon.awssdk.retries.StandardRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;

import java.io.IOException;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * When an EC2 call is tried again: throttling ({@code RequestLimitExceeded}) with a long backoff, transient
 * server and connection errors with a short one, and never a capacity or price refusal. EC2 sends
 * {@code InsufficientInstanceCapacity} as an HTTP 500, which the SDK's defaults would retry for seconds while
 * another zone could already be launching; the workflow falls back instead.
 *
 * <p>Above the SDK, {@link Backoff} waits out what a single call cannot: a "not found" for something spotsh has
 * just created (EC2 user guide, "Eventual consistency": DescribeInstances, CreateTags and TerminateInstances may
 * not know an instance right after RunInstances or CreateFleet; CreateFleet may not know a launch template right
 * after CreateLaunchTemplate), and throttling that EC2 reports inside a fleet's {@code Errors} with HTTP 200.
 */
final class Ec2Retries {
    private Ec2Retries() {
    }

    static RetryStrategy strategy(int maxAttempts) {
        return StandardRetryStrategy.builder()
                .useClientDefaults(false) // the client's defaults would add "retry any 500" back
                .maxAttempts(maxAttempts)
                .retryOnException(Ec2Retries::retryable)
                .treatAsThrottling(Ec2Retries::throttling)
                .backoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofMillis(100), Duration.ofSeconds(5)))
                .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofSeconds(1), Duration.ofSeconds(20)))
                .build();
    }

    static boolean retryable(Throwable t) {
        if (t instanceof AwsServiceException e) {
            if (Ec2Errors.isRefusal(e)) {
                return false;
            }
            return throttling(e) || e.statusCode() >= 500;
        }
        return t instanceof SdkClientException && hasCause(t, IOException.class);
    }

    static boolean throttling(Throwable t) {
        return t instanceof AwsServiceException e && (RetryUtils.isThrottlingException(e)
                || Ec2Errors.throttling(Ec2Errors.code(e)));
    }

    /** Runs {@code call} until EC2 stops answering "not found" for what was just created, within {@link Backoff}. */
    static <T> T untilVisible(Supplier<T> call) {
        Backoff backoff = new Backoff();
        while (true) {
            try {
                return call.get();
            } catch (AwsServiceException e) {
                if (!Ec2Errors.notYetVisible(e) || !backoff.pause()) {
                    throw e;
                }
            }
        }
    }

    /**
     * Exponential backoff, 250 ms doubling to 4 s, {@link #ATTEMPTS} attempts in all (about 12 s of waiting):
     * long enough for EC2's propagation delays, which are seconds, and bounded so a real "not found" still ends.
     */
    static final class Backoff {
        static final int ATTEMPTS = 7;
        private static final long FIRST_MILLIS = 250;
        private static final long LONGEST_MILLIS = 4000;

        private int attempt = 1;

        /** Waits before the next attempt; false (without waiting) when the attempts are used up. */
        boolean pause() {
            if (attempt >= ATTEMPTS) {
                return false;
            }
            long millis = Math.min(LONGEST_MILLIS, FIRST_MILLIS << (attempt - 1));
            attempt++;
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            return true;
        }

        int attempts() {
            return attempt;
        }
    }

    static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }
}
