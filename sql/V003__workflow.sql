-- V003: what the workflow needs to end tests on every exit path and to reap after a crash.
-- owner_process is host:pid:start-millis of the spotsh process that launched the test: when that
-- process is gone from its host (kill -9, a crash) and the test was not kept, its instances are leaks.
ALTER TABLE spotsh.tests ADD COLUMN owner_process text;
ALTER TABLE spotsh.tests ADD COLUMN keep boolean NOT NULL DEFAULT false;
