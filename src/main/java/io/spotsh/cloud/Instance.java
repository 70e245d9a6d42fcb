package io.spotsh.cloud;

import java.time.Instant;
import java.util.Map;

/**
 * One instance as any provider describes it.
 *
 * @param sshPort       where its SSH server listens (22 on a cloud; local instances have their own address)
 * @param stateReason   the cloud's reason for the last state change, e.g. {@code Server.SpotInstanceTermination}
 * @param interruptAt   when a spot interruption notice says the instance will be reclaimed, else null
 */
public record Instance(String id, String zone, String instanceType, InstanceState state, String privateIp,
                       String publicIp, int sshPort, String stateReason, Instant interruptAt,
                       Map<String, String> tags, Instant launchedAt) {

    /** The state reason a cloud gives for an instance reclaimed by a spot interruption. */
    public static final String SPOT_TERMINATION = "Server.SpotInstanceTermination";

    public Instance {
        tags = tags == null ? Map.of() : Map.copyOf(tags);
    }

    public String test() {
        return tags.get(Tags.TEST);
    }

    public String role() {
        return tags.get(Tags.ROLE);
    }

    /** The address spotsh connects to: the public one when there is one. */
    public String address() {
        return publicIp != null && !publicIp.isBlank() ? publicIp : privateIp;
    }

    public boolean reclaimed() {
        return SPOT_TERMINATION.equals(stateReason);
    }
}
