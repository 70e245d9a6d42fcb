package io.spotsh.cloud;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An optional ability of a provider: node images (AMIs on EC2). {@code spotsh image bake} starts a builder from
 * the stock base image, runs {@code ami/bake.sh} on it, and snapshots it with {@link #createImage}. A provider
 * whose instances run this machine's programs (the local cloud) has none: {@code spotsh tools install} is its
 * equivalent.
 *
 * <pre>{@code
 * if (cloud instanceof NodeImages images) {
 *     String base = images.baseImage("136693071363", "debian-12-amd64-*");
 *     ... launch a builder from base, bake it ...
 *     String id = images.createImage(builderId, "spotsh-node-20260101-1200", tags);
 *     images.image(id).state();   // pending ... available
 * }
 * }</pre>
 */
public interface NodeImages {
    /** The tag every image spotsh bakes carries: {@code spotsh:image=node}. */
    String IMAGE_TAG = "spotsh:image";
    /** The spotsh build that baked it. */
    String BUILD_TAG = "spotsh:build";
    /** The test types whose tools the image holds, comma-separated ({@code cassandra,mongodb,redis}). */
    String TYPES_TAG = "spotsh:types";
    /** The programs found on the builder after the bake, comma-separated. */
    String TOOLS_TAG = "spotsh:tools";
    /** When it was baked (ISO-8601). */
    String BAKED_TAG = "spotsh:baked";

    /** The newest image of {@code owner} whose name matches {@code namePattern} ({@code *} wildcards). */
    String baseImage(String owner, String namePattern);

    /**
     * Snapshots the instance into a new image with these tags, registered so instances from it start with
     * IMDSv2 only (no IMDSv1 window). EC2 shuts the instance down cleanly for the snapshot and starts it again.
     */
    String createImage(String instanceId, String name, Map<String, String> tags);

    /** One image as it is now; null when the cloud does not know it (or it is deregistered). */
    Image image(String imageId);

    /** The images spotsh baked in this provider's region ({@link #IMAGE_TAG}), newest first. */
    List<Image> images();

    /** Deregisters the image and deletes its snapshots; returns the snapshot ids deleted. */
    List<String> deleteImage(String imageId);

    /**
     * @param state     {@code pending}, {@code available}, {@code failed}, ...
     * @param snapshots the snapshots behind its disks
     */
    record Image(String id, String name, String region, String state, Instant created, Map<String, String> tags,
                 List<String> snapshots) {
        public Image {
            tags = tags == null ? Map.of() : Map.copyOf(tags);
            snapshots = snapshots == null ? List.of() : List.copyOf(snapshots);
        }

        public boolean available() {
            return "available".equals(state);
        }

        public boolean failed() {
            return "failed".equals(state) || "invalid".equals(state) || "error".equals(state);
        }
    }
}
