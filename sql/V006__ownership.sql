-- V006: which registry owns what. Several operators share one cloud account (and maybe one registry server);
-- every instance is tagged with the id of the registry that launched it, and terminate/reap act only on
-- instances carrying this id (or whose spotsh:expires tag has passed). The id is made once, here, and never
-- changes: re-creating it would orphan every instance already tagged. It is not a secret.
CREATE TABLE spotsh.registry_identity (
    one        boolean PRIMARY KEY DEFAULT true CHECK (one),
    id         uuid NOT NULL DEFAULT gen_random_uuid(),
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO spotsh.registry_identity DEFAULT VALUES;

-- where a test's instances are: reap looks in every region this registry has launched in, not only the
-- region it was started with (provider is recorded since V001)
ALTER TABLE spotsh.tests ADD COLUMN region text;
ALTER TABLE spotsh.tests ADD COLUMN zones text[] NOT NULL DEFAULT '{}';
