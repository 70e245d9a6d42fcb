package io.spotsh.cloud.aws;

import software.amazon.awssdk.services.ec2.model.HttpTokensState;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataEndpointState;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateHttpTokensState;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateInstanceMetadataEndpointState;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateInstanceMetadataOptionsRequest;
import software.amazon.awssdk.services.ec2.model.ModifyInstanceMetadataOptionsRequest;

/**
 * Instance metadata as every node gets it: IMDSv2 only (a session token from a PUT is required) and a hop limit of
 * one. The userdata carries the registry's password; IMDSv1 would hand it to any process on the node that can make
 * a plain GET (a proxied or forwarded request included), and a larger hop limit would let containers reach it.
 */
final class Imds {
    static final int HOP_LIMIT = 1;

    private Imds() {
    }

    /** For the fleet's launch template: the instances start with IMDSv2 only. */
    static LaunchTemplateInstanceMetadataOptionsRequest template() {
        return LaunchTemplateInstanceMetadataOptionsRequest.builder()
                .httpTokens(LaunchTemplateHttpTokensState.REQUIRED)
                .httpPutResponseHopLimit(HOP_LIMIT)
                .httpEndpoint(LaunchTemplateInstanceMetadataEndpointState.ENABLED)
                .build();
    }

    /** For a running instance: {@code RequestSpotInstances} has no metadata options, so they are set once it exists. */
    static ModifyInstanceMetadataOptionsRequest require(String instanceId) {
        return ModifyInstanceMetadataOptionsRequest.builder()
                .instanceId(instanceId)
                .httpTokens(HttpTokensState.REQUIRED)
                .httpPutResponseHopLimit(HOP_LIMIT)
                .httpEndpoint(InstanceMetadataEndpointState.ENABLED)
                .build();
    }
}
