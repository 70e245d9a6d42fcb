package io.spotsh.cloud.aws;

import io.spotsh.cloud.CloudException;
import io.spotsh.cloud.DryRun;
import io.spotsh.cloud.Instance;
import io.spotsh.cloud.LaunchRequest;
import io.spotsh.cloud.OnDemandPrices;
import io.spotsh.cloud.NodeImages;
import io.spotsh.cloud.Pricing;
import io.spotsh.cloud.Provider;
import io.spotsh.cloud.Tags;
import io.spotsh.cloud.TerminateResult;
import io.spotsh.cloud.Zone;
import io.spotsh.common.StateDir;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

import java.net.URI;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Supplier;

/**
 * Spot instances on EC2 (or an EC2-compatible endpoint such as moto) through the AWS SDK for Java v2.
 *
 * <pre>{@code
 * Provider aws = Providers.open("aws", stateDir, Map.of("region", "us-east-1"));
 * Zone cheapest = aws.zones("m5d.xlarge").get(0);
 * List<Instance> data = aws.launch(new LaunchRequest("cass-300", "data", 300, cheapest.name(), "m5d.xlarge",
 *         0.10, userData, tags, Map.of("ami", "ami-0123456789abcdef0", "keyName", "perf")));
 * aws.terminate(data.stream().map(Instance::id).toList());
 * }</pre>
 *
 * A launch is one instant EC2 Fleet per role (all or nothing, one zone; see {@link LaunchOptions} for the
 * options and the spot-request mode); a refusal for capacity or price is a
 * {@link io.spotsh.cloud.CapacityException} after anything half-launched is terminated. Describe and terminate
 * go in batches; {@link #tagged()} finds what any spotsh left running. Also {@link DryRun} and {@link Pricing}.
 */
public final class AwsProvider implements Provider, DryRun, Pricing, OnDemandPrices, NodeImages {
    public static final String NAME = "aws";

    private final Ec2 ec2;
    private final Amis amis;
    private final InstanceStores stores;
    private final Subnets subnets;
    private final InstanceReader reader;
    private final Terminator terminator;
    private final FleetLauncher fleets;
    private final SpotRequestLauncher spotRequests;
    private final SpotPrices prices;
    private final AwsDryRun dryRun;
    private final PriceList priceList;
    private final Images images;
    private final KnownTests known = new KnownTests();
    // kept to open the same account in another region (inRegion)
    private final StateDir stateDir;
    private final AwsSettings settings;
    private final List<ExecutionInterceptor> interceptors;

    private AwsProvider(StateDir stateDir, AwsSettings settings, List<ExecutionInterceptor> interceptors, Ec2 ec2) {
        this.stateDir = stateDir;
        this.settings = settings;
        this.interceptors = List.copyOf(interceptors);
        this.ec2 = ec2;
        this.amis = new Amis(stateDir, ec2.region().id());
        this.stores = new InstanceStores(ec2);
        this.subnets = new Subnets(ec2);
        this.reader = new InstanceReader(ec2, new InterruptionNotices(ec2), known);
        Fleets tracked = new Fleets();
        this.terminator = new Terminator(ec2, tracked);
        this.fleets = new FleetLauncher(ec2, tracked, terminator, subnets);
        this.spotRequests = new SpotRequestLauncher(ec2, terminator);
        this.prices = new SpotPrices(ec2);
        this.dryRun = new AwsDryRun(ec2, prices);
        this.priceList = new PriceList(ec2.credentials(), ec2.region().id(), settings.endpoint(),
                settings.connectTimeout(), settings.readTimeout(), interceptors);
        this.images = new Images(ec2);
    }

    public static AwsProvider open(StateDir stateDir, AwsSettings settings) {
        return open(stateDir, settings, List.of());
    }

    /** With extra SDK interceptors on every call: tests count, check and rewrite calls with them. */
    static AwsProvider open(StateDir stateDir, AwsSettings settings, List<ExecutionInterceptor> interceptors) {
        return new AwsProvider(stateDir, settings, interceptors, Ec2.open(settings, interceptors));
    }

    @Override
    public String name() {
        return NAME;
    }

    /** {@code ami}, {@code instanceTypes}, {@code keyName}, ...: see {@link LaunchOptions}. */
    @Override
    public List<String> launchOptions() {
        return LaunchOptions.NAMES;
    }

    /** The endpoint override ({@code --aws-endpoint}), or null for AWS's own endpoint of the region. */
    public URI endpoint() {
        return ec2.endpoint();
    }

    @Override
    public String region() {
        return ec2.region().id();
    }

    /**
     * The same account, credentials and endpoint in another region: its own client, for the caller to close.
     * Reap uses it to look in every region its registry has launched in.
     */
    @Override
    public Provider inRegion(String region) {
        if (region == null || region.equals(region())) {
            return this;
        }
        AwsSettings there = new AwsSettings(settings.endpoint(), region, settings.profile(), settings.connectTimeout(),
                settings.readTimeout(), settings.maxAttempts());
        return new AwsProvider(stateDir, there, interceptors, Ec2.open(there, interceptors));
    }

    @Override
    public List<Instance> launch(LaunchRequest request) {
        return cloud("launch " + request.test() + "/" + request.role(), () -> {
            LaunchPlan plan = LaunchPlan.resolve(request, amis, stores, subnets);
            List<Instance> launched = plan.options().spotRequests() ? spotRequests.launch(plan) : fleets.launch(plan);
            known.remember(plan.tags().get(Tags.TEST), launched.stream().map(Instance::id).toList());
            return launched;
        });
    }

    @Override
    public Plan dryRun(LaunchRequest request) {
        return cloud("dry run", () -> dryRun.check(LaunchPlan.resolve(request, amis, stores, subnets)));
    }

    @Override
    public List<Instance> describe(Collection<String> instanceIds) {
        return cloud("describe", () -> reader.describe(instanceIds));
    }

    @Override
    public TerminateResult terminate(Collection<String> instanceIds) {
        return cloud("terminate", () -> terminator.terminate(instanceIds));
    }

    @Override
    public List<Instance> tagged() {
        return cloud("list tagged instances", reader::tagged);
    }

    @Override
    public List<Zone> zones(String instanceType) {
        return cloud("spot prices", () -> {
            stores.disks(List.of(instanceType)); // an unknown type is bad input, not "no zones"
            return prices.zones(instanceType);
        });
    }

    @Override
    public double cost(String zone, String instanceType, Instant from, Instant to) {
        return cloud("spot price history", () -> prices.cost(zone, instanceType, from, to));
    }

    // ---- node images (spotsh image bake|ls|rm): see Images ----

    @Override
    public String baseImage(String owner, String namePattern) {
        return cloud("look up the base image", () -> images.baseImage(owner, namePattern));
    }

    @Override
    public String createImage(String instanceId, String name, Map<String, String> tags) {
        return cloud("create image of " + instanceId, () -> images.createImage(instanceId, name, tags));
    }

    @Override
    public Image image(String imageId) {
        return cloud("describe image " + imageId, () -> images.image(imageId));
    }

    @Override
    public List<Image> images() {
        return cloud("list images", images::images);
    }

    @Override
    public List<String> deleteImage(String imageId) {
        return cloud("deregister image " + imageId, () -> images.deleteImage(imageId));
    }

    /** EC2 errors nobody below turned into spotsh's own become a {@link CloudException} with EC2's words. */
    private static <T> T cloud(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (AwsServiceException e) {
            throw new CloudException("aws " + what + " failed: " + Ec2.words(e), e);
        }
    }

    /** The region's list price (see {@link PriceList}); asked once per type. */
    @Override
    public OptionalDouble onDemandHourly(String instanceType) {
        return priceList.onDemandHourly(instanceType);
    }

    @Override
    public String onDemandProblem() {
        return priceList.problem();
    }

    @Override
    public void close() {
        priceList.close();
        ec2.close();
    }
}
