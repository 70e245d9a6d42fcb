package io.spotsh.registry;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The node images this registry knows ({@code spotsh.images}): recorded by {@code spotsh image bake}, the newest of a
 * region being that region's node image, which launches boot unless {@code options: [ami: ...]} names another.
 * Kept in the registry, not in a file of one operator's state folder, so everyone sharing the registry boots the
 * same image.
 */
public final class ImageRecords {
    /** One recorded image; {@code types} and {@code tools} are what the bake found on the builder. */
    public record ImageRow(String imageId, String provider, String region, String name, String build,
                           List<String> types, List<String> tools, String bakedBy, OffsetDateTime bakedAt) {
    }

    private final Supplier<Registry> registry;

    public ImageRecords(Supplier<Registry> registry) {
        this.registry = registry;
    }

    public void record(String imageId, String provider, String region, String name, String build,
                       Collection<String> types, Collection<String> tools, String bakedBy) {
        registry.get().sql("INSERT INTO spotsh.images (image_id, provider, region, name, build, types, tools, baked_by)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (image_id) DO UPDATE SET name = EXCLUDED.name,"
                        + " build = EXCLUDED.build, types = EXCLUDED.types, tools = EXCLUDED.tools, baked_at = now()",
                imageId, provider, region, name, build, String.join(",", types), String.join(",", tools), bakedBy);
    }

    /** The region's node image: the newest recorded there; null when none was baked. */
    public ImageRow current(String provider, String region) {
        List<ImageRow> rows = rows("WHERE provider = ? AND region = ? ORDER BY baked_at DESC, image_id LIMIT 1",
                provider, region);
        return rows.isEmpty() ? null : rows.get(0);
    }

    /** One image by id; null when it is not recorded. */
    public ImageRow get(String imageId) {
        List<ImageRow> rows = rows("WHERE image_id = ?", imageId);
        return rows.isEmpty() ? null : rows.get(0);
    }

    /** Every recorded image of the provider, by region, newest first. */
    public List<ImageRow> all(String provider) {
        return rows("WHERE provider = ? ORDER BY region, baked_at DESC, image_id", provider);
    }

    /** Forgets an image (deregistered): the region's previous image, if any, becomes its node image again. */
    public boolean forget(String imageId) {
        Object n = registry.get().sql("DELETE FROM spotsh.images WHERE image_id = ?", imageId).get(0).get("updated");
        return ((Number) n).intValue() > 0;
    }

    /** Records the image a test's nodes booted. */
    public void setTestImage(String test, String imageId) {
        registry.get().sql("UPDATE spotsh.tests SET image = ? WHERE name = ?", imageId, test);
    }


    private List<ImageRow> rows(String where, Object... params) {
        List<ImageRow> out = new ArrayList<>();
        for (Map<String, Object> r : registry.get().sql("SELECT image_id, provider, region, name, build, types, tools,"
                + " baked_by, baked_at FROM spotsh.images " + where, params)) {
            out.add(new ImageRow((String) r.get("image_id"), (String) r.get("provider"), (String) r.get("region"),
                    (String) r.get("name"), (String) r.get("build"), split((String) r.get("types")),
                    split((String) r.get("tools")), (String) r.get("baked_by"), at(r.get("baked_at"))));
        }
        return out;
    }

    private static List<String> split(String text) {
        return text == null || text.isBlank() ? List.of() : Arrays.stream(text.split(",")).map(String::strip)
                .filter(s -> !s.isEmpty()).toList();
    }

    private static OffsetDateTime at(Object value) {
        if (value instanceof OffsetDateTime t) {
            return t;
        }
        if (value instanceof java.sql.Timestamp t) {
            return t.toInstant().atOffset(java.time.ZoneOffset.UTC);
        }
        return value == null ? null : OffsetDateTime.parse(value.toString());
    }
}
