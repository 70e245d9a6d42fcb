package io.spotsh.cloud.aws;

import io.spotsh.cloud.CloudException;
import io.spotsh.cloud.NodeImages;
import io.spotsh.common.BadInput;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.model.AttributeValue;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The aws provider's node images: the base image looked up by owner and name (never a hard-coded id, which
 * differs per region and changes with every Debian point release), CreateImage with IMDSv2 required, the baked
 * images by their {@code spotsh:image} tag, and deregistering one together with its snapshots.
 */
final class Images implements NodeImages {
    private static final Set<String> GONE = Set.of("InvalidAMIID.NotFound", "InvalidAMIID.Unavailable",
            "InvalidAMIID.Malformed");

    private final Ec2 ec2;

    Images(Ec2 ec2) {
        this.ec2 = ec2;
    }

    @Override
    public String baseImage(String owner, String namePattern) {
        List<software.amazon.awssdk.services.ec2.model.Image> found = ec2.call("DescribeImages", c -> c.describeImages(r -> r.owners(owner).filters(
                Filter.builder().name("name").values(namePattern).build(),
                Filter.builder().name("state").values("available").build()))).images();
        return found.stream().max(Comparator.comparing(Images::created, Comparator.nullsFirst(Comparator.<Instant>naturalOrder()))
                        .thenComparing(software.amazon.awssdk.services.ec2.model.Image::name))
                .map(software.amazon.awssdk.services.ec2.model.Image::imageId)
                .orElseThrow(() -> new BadInput("no image named " + namePattern + " owned by " + owner + " in "
                        + ec2.region().id() + " (the base of a bake: Debian's owner is 136693071363)"));
    }

    @Override
    public String createImage(String instanceId, String name, Map<String, String> tags) {
        List<Tag> sdkTags = new ArrayList<>();
        tags.forEach((k, v) -> sdkTags.add(Tag.builder().key(k).value(v).build()));
        // no NoReboot: EC2 shuts the builder down for the snapshot, so the file systems are consistent
        String id = ec2.call("CreateImage", c -> c.createImage(r -> r.instanceId(instanceId).name(name)
                .description("spotsh node image, baked by ami/bake.sh")
                .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.IMAGE).tags(sdkTags).build())))
                .imageId();
        // instances from it start IMDSv2-only: a node's credentials are never readable without a session token
        ec2.call("ModifyImageAttribute", c -> c.modifyImageAttribute(r -> r.imageId(id)
                .imdsSupport(AttributeValue.builder().value("v2.0").build())));
        return id;
    }

    @Override
    public NodeImages.Image image(String imageId) {
        try {
            List<software.amazon.awssdk.services.ec2.model.Image> found = ec2.call("DescribeImages", c -> c.describeImages(r -> r.imageIds(imageId))).images();
            return found.isEmpty() ? null : toImage(found.get(0));
        } catch (AwsServiceException e) {
            if (GONE.contains(Ec2Errors.code(e))) {
                return null;
            }
            throw e;
        }
    }

    @Override
    public List<NodeImages.Image> images() {
        List<software.amazon.awssdk.services.ec2.model.Image> found = ec2.call("DescribeImages", c -> c.describeImages(r -> r.owners("self").filters(
                Filter.builder().name("tag-key").values(IMAGE_TAG).build()))).images();
        return found.stream().map(this::toImage)
                .sorted(Comparator.comparing((NodeImages.Image i) -> i.created() == null ? Instant.EPOCH : i.created())
                        .reversed())
                .toList();
    }

    @Override
    public List<String> deleteImage(String imageId) {
        NodeImages.Image image = image(imageId);
        if (image == null) {
            throw new BadInput("no image " + imageId + " in " + ec2.region().id());
        }
        if (!image.tags().containsKey(IMAGE_TAG)) {
            throw new BadInput(imageId + " in " + ec2.region().id() + " is not a spotsh node image (no " + IMAGE_TAG
                    + " tag); spotsh deregisters only what it baked");
        }
        ec2.call("DeregisterImage", c -> c.deregisterImage(r -> r.imageId(imageId)));
        // the snapshots outlive the image and cost storage until deleted; only after deregistering may they go
        List<String> deleted = new ArrayList<>();
        for (String snapshot : image.snapshots()) {
            try {
                ec2.call("DeleteSnapshot", c -> c.deleteSnapshot(r -> r.snapshotId(snapshot)));
                deleted.add(snapshot);
            } catch (AwsServiceException e) {
                throw new CloudException("deregistered " + imageId + " but could not delete its snapshot " + snapshot
                        + ": " + Ec2.words(e) + " (aws ec2 delete-snapshot --snapshot-id " + snapshot + ")", e);
            }
        }
        return deleted;
    }

    private NodeImages.Image toImage(software.amazon.awssdk.services.ec2.model.Image i) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (Tag t : i.tags()) {
            tags.put(t.key(), t.value());
        }
        List<String> snapshots = new ArrayList<>();
        for (BlockDeviceMapping m : i.blockDeviceMappings()) {
            if (m.ebs() != null && m.ebs().snapshotId() != null) {
                snapshots.add(m.ebs().snapshotId());
            }
        }
        return new NodeImages.Image(i.imageId(), i.name(), ec2.region().id(), i.stateAsString(), created(i), tags,
                snapshots);
    }

    private static Instant created(software.amazon.awssdk.services.ec2.model.Image i) {
        try {
            return i.creationDate() == null ? null : Instant.parse(i.creationDate());
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
