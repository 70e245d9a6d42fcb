-- V005: a test's runs (configure, check, workloads, collect) and where their results are; each phase belongs to
-- the run it was part of. The sizing the test was launched with stays with the test, so a sanity check from
-- another spotsh (cluster.use) knows how many nodes each role should have.
ALTER TABLE spotsh.tests ADD COLUMN sizing jsonb;

CREATE TABLE spotsh.runs (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    test_id      bigint NOT NULL REFERENCES spotsh.tests (id) ON DELETE CASCADE,
    started_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    collected_at timestamptz,
    status       text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'collected', 'failed')),
    results_dir  text NOT NULL,
    archive      text,
    summary_csv  text,
    message      text
);
CREATE INDEX runs_test ON spotsh.runs (test_id, id);

ALTER TABLE spotsh.phases ADD COLUMN run_id bigint REFERENCES spotsh.runs (id) ON DELETE SET NULL;
