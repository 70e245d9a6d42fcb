package io.spotsh.report;

import io.spotsh.cloud.CloudTests;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Debian's {@code chromium} run headless on a page from disk: the DOM after its scripts ran ({@code --dump-dom}) and
 * a screenshot. The page reports itself: report.html sets {@code data-status} to 'ok' or 'error: ...'.
 */
public final class Chromium {
    private static final Pattern STATUS = Pattern.compile("data-status=\"([^\"]*)\"");
    private static final Pattern CHARTS = Pattern.compile("data-charts=\"(\\d+)\"");

    /** What the page said about itself once loaded. */
    public record Page(String status, int charts, String dom) {
    }

    private Chromium() {
    }

    /** Skips (or fails in CI) when chromium is not installed. */
    public static void require() {
        CloudTests.require("chromium", "report.html is checked in headless Chromium (apt-get install chromium)");
    }

    /** Loads {@code html} from disk, returns its status, and writes a screenshot to {@code screenshot}. */
    public static Page open(Path html, Path screenshot) throws IOException, InterruptedException {
        String dom = run(html, "--dump-dom");
        Files.createDirectories(screenshot.getParent());
        run(html, "--screenshot=" + screenshot.toAbsolutePath(), "--window-size=1400,3000");
        assertTrue(Files.size(screenshot) > 0, "no screenshot at " + screenshot);
        Matcher s = STATUS.matcher(dom);
        Matcher c = CHARTS.matcher(dom);
        return new Page(s.find() ? s.group(1).replace("&quot;", "\"").replace("&amp;", "&") : "no data-status: the page's script did not finish",
                c.find() ? Integer.parseInt(c.group(1)) : 0, dom);
    }

    private static String run(Path html, String... what) throws IOException, InterruptedException {
        // a fresh profile each time and nothing that reaches the network: the page must stand alone
        Path profile = Files.createTempDirectory("spotsh-chromium");
        List<String> command = new ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile));
        command.addAll(List.of(what));
        command.add(html.toAbsolutePath().toUri().toString());
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish with " + html);
        CloudTests.delete(profile);
        return out;
    }
}
