package io.spotsh.cloud;

import java.util.List;
import java.util.Map;

/**
 * What a terminate call achieved.
 *
 * @param accepted ids the cloud accepted for termination (shutting down or already terminated)
 * @param failed   id → the cloud's reason, for ids it refused (unknown id, ...)
 */
public record TerminateResult(List<String> accepted, Map<String, String> failed) {
    public TerminateResult {
        accepted = List.copyOf(accepted);
        failed = Map.copyOf(failed);
    }
}
