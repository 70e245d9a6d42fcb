package io.spotsh.cloud.aws;

import software.amazon.awssdk.services.ec2.model.CreateFleetRequest;
import software.amazon.awssdk.services.ec2.model.CreateLaunchTemplateRequest;
import software.amazon.awssdk.services.ec2.model.DefaultTargetCapacityType;
import software.amazon.awssdk.services.ec2.model.FleetBlockDeviceMappingRequest;
import software.amazon.awssdk.services.ec2.model.FleetLaunchTemplateConfigRequest;
import software.amazon.awssdk.services.ec2.model.FleetLaunchTemplateOverridesRequest;
import software.amazon.awssdk.services.ec2.model.FleetType;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateBlockDeviceMappingRequest;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateTagSpecificationRequest;
import software.amazon.awssdk.services.ec2.model.RequestLaunchTemplateData;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.SpotAllocationStrategy;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The two requests of a fleet launch, built from a {@link LaunchPlan} without calling EC2 (so {@code --dry-run}
 * shows exactly these): a launch template carrying image, userdata, IMDSv2-only metadata, key, security groups,
 * instance profile, instance-store mapping and the instance and volume tags; and an instant fleet over it, spot
 * only, all or nothing ({@code MinTargetCapacity} = count), one zone, one instance type chosen by EC2 among the
 * allowed ones.
 */
final class FleetRequests {
    private static final SecureRandom RANDOM = new SecureRandom();

    private FleetRequests() {
    }

    /** A launch template name unique to this launch: {@code spotsh-<test>-<role>-<8 hex>}. */
    static String templateName(LaunchPlan plan) {
        byte[] suffix = new byte[4];
        RANDOM.nextBytes(suffix);
        String base = "spotsh-" + plan.request().test() + "-" + plan.request().role();
        base = base.replaceAll("[^A-Za-z0-9().\\-/_]", "_");
        return base.substring(0, Math.min(base.length(), 110)) + "-" + HexFormat.of().formatHex(suffix);
    }

    static CreateLaunchTemplateRequest template(LaunchPlan plan, String name, boolean dryRun) {
        LaunchOptions o = plan.options();
        RequestLaunchTemplateData.Builder data = RequestLaunchTemplateData.builder()
                .imageId(plan.image())
                .instanceType(plan.primaryType())
                .userData(plan.userDataBase64())
                .metadataOptions(Imds.template())
                .blockDeviceMappings(InstanceStores.mappings(plan.primaryDisks(), (device, virtual) ->
                        LaunchTemplateBlockDeviceMappingRequest.builder().deviceName(device).virtualName(virtual).build()))
                .tagSpecifications(templateTags(plan, ResourceType.INSTANCE), templateTags(plan, ResourceType.VOLUME));
        if (o.keyName() != null) {
            data.keyName(o.keyName());
        }
        if (!o.securityGroupIds().isEmpty()) {
            data.securityGroupIds(o.securityGroupIds());
        }
        if (o.iamInstanceProfile() != null) {
            data.iamInstanceProfile(p -> {
                if (o.iamInstanceProfile().startsWith("arn:")) {
                    p.arn(o.iamInstanceProfile());
                } else {
                    p.name(o.iamInstanceProfile());
                }
            });
        }
        return CreateLaunchTemplateRequest.builder()
                .launchTemplateName(name)
                .launchTemplateData(data.build())
                .tagSpecifications(plan.tagSpecification(ResourceType.LAUNCH_TEMPLATE))
                .dryRun(dryRun)
                .build();
    }

    /** The instant fleet over the template named {@code templateName}. */
    static CreateFleetRequest fleet(LaunchPlan plan, String templateName, boolean dryRun) {
        int n = plan.count();
        return CreateFleetRequest.builder()
                .type(FleetType.INSTANT)
                .targetCapacitySpecification(t -> t.totalTargetCapacity(n).spotTargetCapacity(n)
                        .defaultTargetCapacityType(DefaultTargetCapacityType.SPOT))
                // moto answers a fleet without an allocation strategy with an HTML 500; EC2 wants one anyway
                .spotOptions(s -> s.allocationStrategy(SpotAllocationStrategy.PRICE_CAPACITY_OPTIMIZED)
                        .minTargetCapacity(n).singleAvailabilityZone(true).singleInstanceType(true))
                .launchTemplateConfigs(FleetLaunchTemplateConfigRequest.builder()
                        .launchTemplateSpecification(s -> s.launchTemplateName(templateName).version("$Latest"))
                        .overrides(overrides(plan))
                        .build())
                .tagSpecifications(plan.tagSpecification(ResourceType.FLEET))
                .dryRun(dryRun)
                .build();
    }

    /** One override per allowed type and subnet (or the zone itself); a type whose disks differ maps its own. */
    private static List<FleetLaunchTemplateOverridesRequest> overrides(LaunchPlan plan) {
        List<String> subnets = plan.subnets().isEmpty() ? Arrays.asList((String) null) : plan.subnets();
        List<FleetLaunchTemplateOverridesRequest> out = new ArrayList<>();
        for (Map.Entry<String, Integer> type : plan.disks().entrySet()) {
            for (String subnet : subnets) {
                FleetLaunchTemplateOverridesRequest.Builder o = FleetLaunchTemplateOverridesRequest.builder()
                        .instanceType(type.getKey())
                        .maxPrice(plan.maxPrice());
                if (subnet == null) {
                    o.availabilityZone(plan.zone());
                } else {
                    o.subnetId(subnet);
                }
                if (type.getValue() != plan.primaryDisks()) {
                    o.blockDeviceMappings(overrideDisks(type.getValue(), plan.primaryDisks()));
                }
                out.add(o.build());
            }
        }
        return out;
    }

    /**
     * A type's own instance-store mapping. The override's mappings are merged over the template's, so the
     * template's devices beyond this type's disks are unmapped with {@code NoDevice}: otherwise the type would
     * inherit ephemeral mappings it has no disks for.
     */
    static List<FleetBlockDeviceMappingRequest> overrideDisks(int disks, int templateDisks) {
        List<FleetBlockDeviceMappingRequest> out = new ArrayList<>(InstanceStores.mappings(disks, (device, virtual) ->
                FleetBlockDeviceMappingRequest.builder().deviceName(device).virtualName(virtual).build()));
        List<String> templateDevices = InstanceStores.mappings(templateDisks, (device, virtual) -> device);
        for (int n = disks; n < templateDisks; n++) {
            out.add(FleetBlockDeviceMappingRequest.builder().deviceName(templateDevices.get(n)).noDevice("").build());
        }
        return out;
    }

    private static LaunchTemplateTagSpecificationRequest templateTags(LaunchPlan plan, ResourceType type) {
        return LaunchTemplateTagSpecificationRequest.builder().resourceType(type).tags(plan.sdkTags()).build();
    }
}
