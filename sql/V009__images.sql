-- Node images baked by `spotsh image bake`: the region's node image is the newest one recorded there (launches
-- boot it unless options.ami says otherwise), with the test types whose tools the bake found on the builder.
-- A test records the image its nodes booted, for its report.
CREATE TABLE spotsh.images (
    image_id  text PRIMARY KEY CHECK (length(image_id) BETWEEN 1 AND 128),
    provider  text NOT NULL,
    region    text NOT NULL,
    name      text NOT NULL,
    build     text,
    types     text NOT NULL DEFAULT '',   -- comma-separated test type names
    tools     text NOT NULL DEFAULT '',   -- comma-separated programs found on the builder
    baked_by  text,                       -- the test that launched the builder
    baked_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX images_region ON spotsh.images (provider, region, baked_at DESC);

ALTER TABLE spotsh.tests ADD COLUMN image text;
