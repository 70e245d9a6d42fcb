package io.spotsh.report;

import groovy.json.JsonOutput;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes {@code report.html} (and {@code compare.html}): the page template ({@code report.html} beside this class), echarts' minified script
 * from its WebJar on the classpath and the model as JSON, all in one file that opens from disk with no network.
 */
final class Html {
    static final String ECHARTS = "/META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";

    private Html() {
    }

    static void write(Map<String, Object> model, Path file) {
        write("report.html", model, file);
    }

    /**
     * {@code template}, a page beside this class, with the shared page check ({@code page-check.js}), echarts and the
     * model (as JSON) put at its CHECK, ECHARTS and DATA marks.
     */
    static void write(String template, Map<String, Object> model, Path file) {
        String page = resource("/io/spotsh/report/" + template);
        // "</" would end the script element early; JSON allows "<\/" for it
        String json = JsonOutput.toJson(model).replace("</", "<\\/");
        page = page.replace("/*CHECK*/", resource("/io/spotsh/report/page-check.js"));
        int js = page.indexOf("/*ECHARTS*/");
        int data = page.indexOf("/*DATA*/");
        String html = page.substring(0, js) + resource(ECHARTS).replace("</script", "<\\/script")
                + page.substring(js + "/*ECHARTS*/".length(), data) + json + page.substring(data + "/*DATA*/".length());
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, html, StandardCharsets.UTF_8);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static String resource(String name) {
        try (InputStream in = Html.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is not on the classpath (the echarts WebJar is a dependency of spotsh)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + ": " + e.getMessage(), e);
        }
    }
}
