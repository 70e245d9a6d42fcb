package io.spotsh.cloud.aws;

import io.spotsh.cloud.LaunchRequest;
import io.spotsh.cloud.Tags;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one launch needs, resolved and checked before any instance is asked for: the image, the
 * instance-store disks of each allowed type, the zone's subnets, the tags and the userdata.
 *
 * @param disks    instance-store disk count per allowed instance type, in preference order
 * @param subnets  the request zone's subnets from {@code options.subnetIds}; empty: the zone's default subnet
 */
record LaunchPlan(LaunchRequest request, LaunchOptions options, String image, Map<String, Integer> disks,
                  List<String> subnets, Map<String, String> tags) {

    static LaunchPlan resolve(LaunchRequest request, Amis amis, InstanceStores stores, Subnets subnets) {
        LaunchOptions options = LaunchOptions.of(request);
        String image = amis.imageFor(options);
        Map<String, Integer> disks = stores.disks(options.instanceTypes());
        List<String> inZone = List.of();
        if (!options.subnetIds().isEmpty()) {
            inZone = subnets.inZone(options.subnetIds(), request.zone());
            if (inZone.isEmpty()) {
                // not bad input: the caller may try a zone where one of the subnets is
                throw Ec2Errors.refused(request.zone(), options.primaryType(), "NoSubnetInZone",
                        "none of the subnets " + options.subnetIds() + " is in this zone");
            }
        }
        Map<String, String> tags = new LinkedHashMap<>(request.tags());
        tags.putIfAbsent(Tags.TEST, request.test());
        tags.putIfAbsent(Tags.ROLE, request.role());
        return new LaunchPlan(request, options, image, disks, inZone, tags);
    }

    String zone() {
        return request.zone();
    }

    int count() {
        return request.count();
    }

    String primaryType() {
        return options.primaryType();
    }

    int primaryDisks() {
        return disks.get(primaryType());
    }

    /** USD an hour as EC2 reads it: a plain decimal ({@code 0.0001}, never {@code 1.0E-4}). */
    String maxPrice() {
        return request.maxPrice() == null ? null : BigDecimal.valueOf(request.maxPrice()).stripTrailingZeros().toPlainString();
    }

    /** The rendered boot script as EC2 wants it; null when the request has none. */
    String userDataBase64() {
        String text = request.userData();
        return text == null || text.isEmpty() ? null : Base64.getEncoder().encodeToString(io.spotsh.node.UserData.forEc2(text));
    }

    /** A short name for messages: {@code test/role ×count type in zone}. */
    String label() {
        return request.test() + "/" + request.role() + " ×" + count() + " " + String.join("|", disks.keySet())
                + " in " + zone();
    }

    List<Tag> sdkTags() {
        List<Tag> out = new ArrayList<>();
        tags.forEach((k, v) -> out.add(Tag.builder().key(k).value(v).build()));
        return out;
    }

    TagSpecification tagSpecification(ResourceType type) {
        return TagSpecification.builder().resourceType(type).tags(sdkTags()).build();
    }
}
