-- V004: the phases of a test's run (phase("load") { ... } in a plan): when each started and ended,
-- how it went, so results can be read against the sysstat markers written at the same moments.
CREATE TABLE spotsh.phases (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    test_id     bigint NOT NULL REFERENCES spotsh.tests (id) ON DELETE CASCADE,
    name        text NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at timestamptz,
    status      text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'ok', 'failed', 'interrupted')),
    seconds     double precision,
    message     text
);
CREATE INDEX phases_test ON spotsh.phases (test_id, id);
