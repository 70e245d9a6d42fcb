package io.spotsh.cloud.aws;

import io.spotsh.cloud.Instance;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.ec2.model.CreateFleetError;
import software.amazon.awssdk.services.ec2.model.CreateFleetInstance;
import software.amazon.awssdk.services.ec2.model.CreateFleetResponse;
import software.amazon.awssdk.services.ec2.model.CreateLaunchTemplateResponse;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSpotInstanceRequestsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSpotPriceHistoryResponse;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.SpotInstanceRequest;
import software.amazon.awssdk.services.ec2.model.SpotPrice;
import software.amazon.awssdk.services.ec2.model.ValidationError;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What moto never says, written into its answers on the way back to the provider: spot reclaims (state reason
 * {@code Server.SpotInstanceTermination}), interruption notices, spot request refusals, a fleet that brought
 * fewer instances than asked, a launch template's validation warning, and spot prices that differ by zone and
 * over time.
 */
final class Rewrites implements ExecutionInterceptor {
    final Set<String> reclaimed = ConcurrentHashMap.newKeySet();
    final Map<String, Instant> markedForTermination = new ConcurrentHashMap<>();
    /** When set, the last spot request of each answer has this status code and no instance, in {@link #refusedState}. */
    volatile String refuseLastSpotRequest;
    volatile String refusedState = "open";
    /** When set, CreateLaunchTemplate answers this validation warning (code, message) besides the template. */
    volatile List<String> templateWarning;
    /** How many instances the next fleet answers are short of what they launched, with EC2's error code. */
    volatile int fleetShortBy;
    volatile String fleetErrorCode = "InsufficientInstanceCapacity";
    /** Spot price history answered instead of moto's: (zone, price, timestamp) for any instance type. */
    volatile List<SpotPrice> prices;

    @Override
    public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
        SdkResponse r = context.response();
        if (r instanceof DescribeInstancesResponse d && !reclaimed.isEmpty()) {
            return d.toBuilder().reservations(d.reservations().stream().map(this::reclaim).toList()).build();
        }
        if (r instanceof DescribeSpotInstanceRequestsResponse d) {
            List<SpotInstanceRequest> requests = new ArrayList<>(d.spotInstanceRequests().stream().map(this::spot).toList());
            if (refuseLastSpotRequest != null && !requests.isEmpty()) {
                requests.add(refused(requests.remove(requests.size() - 1), refuseLastSpotRequest, refusedState));
            }
            return d.toBuilder().spotInstanceRequests(requests).build();
        }
        if (r instanceof CreateFleetResponse f && fleetShortBy > 0) {
            return shortFleet(f);
        }
        if (r instanceof CreateLaunchTemplateResponse t && templateWarning != null) {
            return t.toBuilder().warning(w -> w.errors(ValidationError.builder().code(templateWarning.get(0))
                    .message(templateWarning.get(1)).build())).build();
        }
        if (r instanceof DescribeSpotPriceHistoryResponse h && prices != null) {
            return h.toBuilder().spotPriceHistory(prices).nextToken(null).build();
        }
        return r;
    }

    static SpotPrice price(String zone, String type, String usd, Instant at) {
        return SpotPrice.builder().availabilityZone(zone).instanceType(type).spotPrice(usd).timestamp(at)
                .productDescription("Linux/UNIX").build();
    }

    private Reservation reclaim(Reservation res) {
        return res.toBuilder().instances(res.instances().stream().map(i -> reclaimed.contains(i.instanceId())
                ? i.toBuilder().stateReason(s -> s.code(Instance.SPOT_TERMINATION)
                        .message("Server.SpotInstanceTermination: Spot instance termination")).build()
                : i).toList()).build();
    }

    private static SpotInstanceRequest refused(SpotInstanceRequest r, String status, String state) {
        return r.toBuilder().state(state).instanceId(null)
                .status(s -> s.code(status).message("There is no Spot capacity available that matches your request.")
                        .updateTime(Instant.now())).build();
    }

    private SpotInstanceRequest spot(SpotInstanceRequest r) {
        Instant marked = r.instanceId() == null ? null : markedForTermination.get(r.instanceId());
        if (marked != null) {
            return r.toBuilder().status(s -> s.code("marked-for-termination").updateTime(marked)
                    .message("Your Spot Instance is marked for termination")).build();
        }
        return r;
    }

    private CreateFleetResponse shortFleet(CreateFleetResponse f) {
        List<CreateFleetInstance> kept = new ArrayList<>();
        int drop = fleetShortBy;
        fleetShortBy = 0;
        for (CreateFleetInstance fi : f.instances()) {
            List<String> ids = new ArrayList<>(fi.instanceIds());
            while (drop > 0 && !ids.isEmpty()) {
                ids.remove(ids.size() - 1);
                drop--;
            }
            kept.add(fi.toBuilder().instanceIds(ids).build());
        }
        return f.toBuilder().instances(kept).errors(CreateFleetError.builder().errorCode(fleetErrorCode)
                .errorMessage("There is not enough capacity to fulfill your request.").build()).build();
    }
}
