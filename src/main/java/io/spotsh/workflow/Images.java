package io.spotsh.workflow;

import io.spotsh.cloud.NodeImages;
import io.spotsh.cloud.Provider;
import io.spotsh.common.BadInput;
import io.spotsh.common.Help;
import io.spotsh.common.Log;
import io.spotsh.common.StatusLine;
import io.spotsh.fanout.Fanout;
import io.spotsh.registry.ImageRecords;
import io.spotsh.registry.ImageRecords.ImageRow;
import io.spotsh.registry.Registry;
import io.spotsh.registry.TestRecords;
import io.spotsh.types.TestTypes;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The node images of a cloud, as the shell's {@code images} and {@code spotsh image} reach them:
 *
 * <pre>{@code
 * images.bake(region: 'eu-west-1')    // builder, ami/bake.sh, CreateImage, the region's node image now
 * images.ls()                         // per region: id, name, state, types, build, which one launches use
 * images.rm('ami-0123456789abcdef0')  // deregister it and delete its snapshots
 * }</pre>
 *
 * The local cloud has none (its nodes run this machine's programs): each verb says so with
 * {@link ImageBaker.NoImages}.
 */
@Help("node images: bake(region:, instanceType:, from:), ls(), rm('ami-...')")
public final class Images implements AutoCloseable {
    private static final List<String> BAKE_KEYS = List.of("provider", "region", "instanceType", "from", "baseOwner",
            "baseName");

    private final Log log;
    private final Supplier<Registry> registry;
    private final Function<String, Provider> providerOpener;
    private final String defaultProvider;
    private final Supplier<Fanout> fanoutFactory;
    private final Supplier<String> clusterKeyLine;
    private final ImageBaker.Settings defaults;
    private final Map<String, Provider> providers = new ConcurrentHashMap<>();
    private final Set<ImageBaker> baking = ConcurrentHashMap.newKeySet();
    private volatile StatusLine statusLine = StatusLine.NONE;
    private Fanout fanout;

    /**
     * @param providerOpener opens a provider by name (in its configured region); each is closed with this
     * @param fanoutFactory  the SSH fan-out to builders, opened on the first bake
     */
    public Images(Log log, Supplier<Registry> registry, Function<String, Provider> providerOpener, String defaultProvider,
                  Supplier<Fanout> fanoutFactory, Supplier<String> clusterKeyLine, ImageBaker.Settings defaults) {
        this.log = log;
        this.registry = registry;
        this.providerOpener = providerOpener;
        this.defaultProvider = defaultProvider;
        this.fanoutFactory = fanoutFactory;
        this.clusterKeyLine = clusterKeyLine;
        this.defaults = defaults;
    }

    public void setStatusLine(StatusLine statusLine) {
        this.statusLine = statusLine == null ? StatusLine.NONE : statusLine;
    }

    @Help("bake(region:, instanceType: 'm5.large', from: checkout, baseOwner:, baseName: 'debian-12-amd64-*') — bake the region's node image")
    public Map<String, Object> bake(Map<String, ?> args) {
        for (String key : args.keySet()) {
            if (!BAKE_KEYS.contains(key)) {
                throw new BadInput("images.bake: unknown argument '" + key + "' (known: " + String.join(", ", BAKE_KEYS) + ")");
            }
        }
        Provider provider = provider(text(args, "provider"), text(args, "region"));
        ImageBaker.imagesOf(provider); // the local cloud says so before anything is made
        ImageBaker.Settings settings = defaults.with(text(args, "instanceType"), text(args, "baseOwner"),
                text(args, "baseName"));
        if (args.get("from") != null) {
            settings = new ImageBaker.Settings(Path.of(String.valueOf(args.get("from"))), settings.instanceType(),
                    settings.baseOwner(), settings.baseName(), settings.user(), settings.build(), settings.sshTimeout(),
                    settings.imageTimeout(), settings.ttl(), settings.reach());
        }
        ImageBaker baker = new ImageBaker(provider, new TestRecords(registry), new ImageRecords(registry), this::fanout,
                clusterKeyLine.get(), new TestTypes(), log, statusLine);
        baking.add(baker);
        try {
            ImageBaker.Baked baked = baker.bake(settings);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("image", baked.imageId());
            out.put("name", baked.name());
            out.put("region", baked.region());
            out.put("types", String.join(",", baked.types()));
            out.put("test", baked.test());
            out.put("builder", baked.builder());
            return out;
        } finally {
            baking.remove(baker);
        }
    }

    public Map<String, Object> bake() {
        return bake(Map.of());
    }

    @Help("ls(provider:, region:) — the node images spotsh baked, per region (those in the registry and the provider's region)")
    public List<Map<String, Object>> ls(Map<String, ?> args) {
        String name = text(args, "provider") == null ? defaultProvider : text(args, "provider");
        Provider home = provider(name, text(args, "region"));
        ImageBaker.imagesOf(home);
        ImageRecords records = new ImageRecords(registry);
        Set<String> regions = new LinkedHashSet<>();
        regions.add(home.region());
        if (text(args, "region") == null) {
            for (ImageRow row : records.all(name)) {
                regions.add(row.region());
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String region : regions) {
            Provider p = provider(name, region);
            ImageRow current = records.current(name, region);
            for (NodeImages.Image image : ImageBaker.imagesOf(p).images()) {
                ImageRow recorded = records.get(image.id());
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("region", region);
                row.put("image", image.id());
                row.put("name", image.name());
                row.put("state", image.state());
                row.put("baked", image.tags().getOrDefault(NodeImages.BAKED_TAG, String.valueOf(image.created())));
                row.put("types", image.tags().getOrDefault(NodeImages.TYPES_TAG, ""));
                row.put("build", image.tags().getOrDefault(NodeImages.BUILD_TAG, ""));
                row.put("node image", current != null && current.imageId().equals(image.id()) ? "yes"
                        : recorded == null ? "not recorded" : "");
                rows.add(row);
            }
        }
        return rows;
    }

    public List<Map<String, Object>> ls() {
        return ls(Map.of());
    }

    @Help("rm('ami-...', region:) — deregister a node image spotsh baked and delete its snapshots")
    public Map<String, Object> rm(Map<String, ?> args, String imageId) {
        if (imageId == null || !imageId.strip().startsWith("ami-")) {
            throw new BadInput("images.rm: give an image id (ami-...), got '" + imageId + "'");
        }
        String id = imageId.strip();
        String name = text(args, "provider") == null ? defaultProvider : text(args, "provider");
        ImageRecords records = new ImageRecords(registry);
        String region = text(args, "region");
        if (region == null) {
            ImageBaker.imagesOf(provider(name, null));
            ImageRow recorded = records.get(id);
            region = recorded != null ? recorded.region() : null;
        }
        Provider p = provider(name, region);
        List<String> snapshots = ImageBaker.imagesOf(p).deleteImage(id);
        boolean wasRecorded = records.forget(id);
        ImageRow now = records.current(name, p.region());
        log.log("Deregistered " + id + " in " + p.region() + ", deleted snapshots "
                + (snapshots.isEmpty() ? "(none)" : String.join(", ", snapshots))
                + (wasRecorded ? "; " + p.region() + "'s node image is " + (now == null ? "none now" : now.imageId()) : ""));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("image", id);
        out.put("region", p.region());
        out.put("snapshots", snapshots);
        out.put("nodeImage", now == null ? null : now.imageId());
        return out;
    }

    public Map<String, Object> rm(String imageId) {
        return rm(Map.of(), imageId);
    }

    private Provider provider(String name, String region) {
        String providerName = name == null ? defaultProvider : name;
        Provider home = providers.computeIfAbsent(providerName, providerOpener);
        if (region == null || region.equals(home.region())) {
            return home;
        }
        return providers.computeIfAbsent(providerName + "@" + region, k -> home.inRegion(region));
    }

    private synchronized Fanout fanout() {
        if (fanout == null) {
            fanout = fanoutFactory.get();
        }
        return fanout;
    }

    private static String text(Map<String, ?> args, String key) {
        Object v = args.get(key);
        return v == null || String.valueOf(v).isBlank() ? null : String.valueOf(v).strip();
    }

    /** Ends a bake in flight (its builder), then closes the fan-out and the providers. */
    @Override
    public void close() {
        try {
            for (ImageBaker baker : baking) {
                baker.close();
            }
        } finally {
            synchronized (this) {
                if (fanout != null) {
                    fanout.close();
                    fanout = null;
                }
            }
            for (Provider p : providers.values()) {
                p.close();
            }
            providers.clear();
        }
    }
}
