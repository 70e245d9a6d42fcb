/**
 * Spot instances on EC2 through the AWS SDK for Java v2 ({@link io.spotsh.cloud.aws.AwsProvider}): one instant
 * fleet per role ({@link io.spotsh.cloud.aws.FleetLauncher}) or classic spot requests
 * ({@link io.spotsh.cloud.aws.SpotRequestLauncher}), tags on everything, explicit instance-store mappings,
 * capacity refusals as {@link io.spotsh.cloud.CapacityException} so the workflow can try the next zone
 * ({@link io.spotsh.cloud.aws.Ec2Errors}), batched describe and terminate calls, spot prices and costs.
 * Proven against moto's EC2 server on loopback.
 */
package io.spotsh.cloud.aws;
