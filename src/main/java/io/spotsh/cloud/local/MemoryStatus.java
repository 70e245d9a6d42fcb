package io.spotsh.cloud.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** This process's resident memory from {@code /proc/self/status}: now (VmRSS) and at its peak (VmHWM), in KiB. */
final class MemoryStatus {
    private MemoryStatus() {
    }

    static Map<String, Object> read() {
        Map<String, Object> m = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    m.put("rssKiB", kib(line));
                } else if (line.startsWith("VmHWM:")) {
                    m.put("peakRssKiB", kib(line));
                }
            }
        } catch (IOException | RuntimeException e) {
            m.put("memory", "unknown: " + e.getMessage());
        }
        return m;
    }

    private static long kib(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
}
