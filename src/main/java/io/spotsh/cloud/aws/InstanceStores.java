package io.spotsh.cloud.aws;

import io.spotsh.common.BadInput;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypesResponse;
import software.amazon.awssdk.services.ec2.model.DiskInfo;
import software.amazon.awssdk.services.ec2.model.InstanceTypeInfo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * How many instance-store disks each instance type has, so the launch maps every one of them
 * ({@code ephemeral0..N-1} on {@code /dev/sdb...}) whatever the image maps: on older types
 * (m1.xlarge: four disks) a disk the launch does not map is not there at all. Common types come from a table,
 * the rest from {@code DescribeInstanceTypes}, which also tells a typo from a real type before anything launches.
 */
final class InstanceStores {
    private static final Map<String, Integer> KNOWN = known();

    private final Ec2 ec2;
    private final Map<String, Integer> looked = new ConcurrentHashMap<>();

    InstanceStores(Ec2 ec2) {
        this.ec2 = ec2;
    }

    /** Disk count per type, in the order given; a type EC2 does not know is {@link BadInput}. */
    Map<String, Integer> disks(List<String> types) {
        List<String> ask = new ArrayList<>();
        for (String t : types) {
            if (!KNOWN.containsKey(t) && !looked.containsKey(t)) {
                ask.add(t);
            }
        }
        if (!ask.isEmpty()) {
            lookUp(ask);
        }
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String t : types) {
            out.put(t, KNOWN.containsKey(t) ? KNOWN.get(t) : looked.get(t));
        }
        return out;
    }

    /** The mapping of {@code count} instance-store disks in any of the SDK's block-device types. */
    static <T> List<T> mappings(int count, BiFunction<String, String, T> deviceAndVirtualName) {
        List<T> out = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            out.add(deviceAndVirtualName.apply("/dev/sd" + (char) ('b' + n), "ephemeral" + n));
        }
        return out;
    }

    private void lookUp(List<String> types) {
        DescribeInstanceTypesResponse response;
        try {
            response = ec2.call("DescribeInstanceTypes", c -> c.describeInstanceTypes(r -> r.instanceTypesWithStrings(types)));
        } catch (AwsServiceException e) {
            if ("InvalidInstanceType".equals(Ec2Errors.code(e)) || "InvalidParameterValue".equals(Ec2Errors.code(e))) {
                throw new BadInput("unknown instance type " + String.join(", ", types) + " in " + ec2.region()
                        + " (" + Ec2Errors.message(e).replaceAll("\\s+", " ").strip() + ")", e);
            }
            throw e;
        }
        for (InstanceTypeInfo info : response.instanceTypes()) {
            int disks = 0;
            if (info.instanceStorageInfo() != null) {
                for (DiskInfo d : info.instanceStorageInfo().disks()) {
                    disks += d.count() == null ? 0 : d.count();
                }
            }
            looked.put(info.instanceTypeAsString(), disks);
        }
        List<String> missing = types.stream().filter(t -> !looked.containsKey(t)).toList();
        if (!missing.isEmpty()) {
            throw new BadInput("unknown instance type " + String.join(", ", missing) + " in " + ec2.region());
        }
    }

    private static Map<String, Integer> known() {
        Map<String, Integer> m = new HashMap<>();
        family(m, "m1", "small:1 medium:1 large:2 xlarge:4");
        family(m, "m3", "medium:1 large:1 xlarge:2 2xlarge:2");
        family(m, "c1", "medium:1 xlarge:4");
        family(m, "c3", "large:2 xlarge:2 2xlarge:2 4xlarge:2 8xlarge:2");
        family(m, "r3", "large:1 xlarge:1 2xlarge:1 4xlarge:1 8xlarge:2");
        family(m, "i2", "xlarge:1 2xlarge:2 4xlarge:4 8xlarge:8");
        family(m, "d2", "xlarge:3 2xlarge:6 4xlarge:12 8xlarge:24");
        family(m, "i3", "large:1 xlarge:1 2xlarge:1 4xlarge:2 8xlarge:4 16xlarge:8 metal:8");
        family(m, "m5d", "large:1 xlarge:1 2xlarge:1 4xlarge:2 8xlarge:2 12xlarge:2 16xlarge:4 24xlarge:4 metal:4");
        family(m, "r5d", "large:1 xlarge:1 2xlarge:1 4xlarge:2 8xlarge:2 12xlarge:2 16xlarge:4 24xlarge:4 metal:4");
        family(m, "c5d", "large:1 xlarge:1 2xlarge:1 4xlarge:1 9xlarge:1 12xlarge:2 18xlarge:2 24xlarge:4 metal:4");
        family(m, "m5", "large:0 xlarge:0 2xlarge:0 4xlarge:0 8xlarge:0 12xlarge:0 16xlarge:0 24xlarge:0 metal:0");
        family(m, "r5", "large:0 xlarge:0 2xlarge:0 4xlarge:0 8xlarge:0 12xlarge:0 16xlarge:0 24xlarge:0 metal:0");
        family(m, "c5", "large:0 xlarge:0 2xlarge:0 4xlarge:0 9xlarge:0 12xlarge:0 18xlarge:0 24xlarge:0 metal:0");
        family(m, "t3", "nano:0 micro:0 small:0 medium:0 large:0 xlarge:0 2xlarge:0");
        return Map.copyOf(m);
    }

    private static void family(Map<String, Integer> m, String family, String sizes) {
        for (String size : sizes.split(" ")) {
            String[] s = size.split(":");
            m.put(family + "." + s[0], Integer.parseInt(s[1]));
        }
    }
}
