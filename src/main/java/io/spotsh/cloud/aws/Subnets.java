package io.spotsh.cloud.aws;

import io.spotsh.common.BadInput;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.model.Subnet;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The zone of each subnet named in {@code options.subnetIds}, looked up once per provider, so a launch in one
 * zone uses only that zone's subnets. Without subnets EC2 picks the zone's default subnet.
 */
final class Subnets {
    private final Ec2 ec2;
    private final Map<String, String> zoneOf = new ConcurrentHashMap<>();

    Subnets(Ec2 ec2) {
        this.ec2 = ec2;
    }

    /** The subnets among {@code subnetIds} that lie in {@code zone}, in the order given. */
    List<String> inZone(List<String> subnetIds, String zone) {
        List<String> unknown = subnetIds.stream().filter(id -> !zoneOf.containsKey(id)).toList();
        if (!unknown.isEmpty()) {
            lookUp(unknown);
        }
        List<String> out = new ArrayList<>();
        for (String id : subnetIds) {
            if (zone.equals(zoneOf.get(id))) {
                out.add(id);
            }
        }
        return out;
    }

    String zoneOf(String subnetId) {
        return zoneOf.get(subnetId);
    }

    private void lookUp(List<String> ids) {
        try {
            for (Subnet s : ec2.call("DescribeSubnets", c -> c.describeSubnets(r -> r.subnetIds(ids))).subnets()) {
                zoneOf.put(s.subnetId(), s.availabilityZone());
            }
        } catch (AwsServiceException e) {
            String code = Ec2Errors.code(e);
            if (code != null && code.startsWith("InvalidSubnet")) {
                throw new BadInput("unknown subnet in options.subnetIds " + ids + " (" + code + ")", e);
            }
            throw e;
        }
    }
}
