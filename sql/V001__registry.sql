-- V001: the registry's tables. Everything lives in schema spotsh. Nodes reach it only
-- through the SECURITY DEFINER functions of V002; the privileges at the end make sure a
-- node's role can read or create nothing else.

CREATE SCHEMA IF NOT EXISTS spotsh;
REVOKE ALL ON SCHEMA spotsh FROM PUBLIC;

-- One row per named test. Names end up in tags, role names and folder names, hence the pattern.
CREATE TABLE spotsh.tests (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name              text NOT NULL UNIQUE
                      CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$'),
    type              text NOT NULL,
    provider          text NOT NULL,
    state             text NOT NULL DEFAULT 'created'
                      CHECK (state IN ('created', 'launching', 'running', 'finished', 'failed', 'terminated')),
    owner             text NOT NULL DEFAULT session_user,
    params            jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at        timestamptz NOT NULL DEFAULT now(),
    finished_at       timestamptz,
    expires_at        timestamptz,
    -- the LOGIN role this test's nodes connect as; register() compares it with session_user
    registration_role text UNIQUE
);

-- Kept apart from tests so that "select * from spotsh.tests" never shows a password.
CREATE TABLE spotsh.test_credentials (
    test_id  bigint PRIMARY KEY REFERENCES spotsh.tests (id) ON DELETE CASCADE,
    password text NOT NULL
);

-- The instances spotsh asked a provider for. Together with nodes this answers
-- "who has not reported in?" (requested but never registered: a dud).
CREATE TABLE spotsh.instances (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    test_id          bigint NOT NULL REFERENCES spotsh.tests (id) ON DELETE CASCADE,
    role             text NOT NULL,
    instance_id      text NOT NULL,
    zone             text,
    instance_type    text,
    state            text NOT NULL DEFAULT 'requested'
                     CHECK (state IN ('requested', 'running', 'dud', 'reclaimed', 'terminated')),
    requested_at     timestamptz NOT NULL DEFAULT now(),
    state_changed_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (test_id, instance_id)
);
-- reap looks instances up by provider id alone
CREATE INDEX instances_instance_id ON spotsh.instances (instance_id);

-- The nodes that phoned home. A dead node keeps its row (and old number) as history;
-- only live rows hold a number, so a replacement can take it over.
CREATE TABLE spotsh.nodes (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    test_id       bigint NOT NULL REFERENCES spotsh.tests (id) ON DELETE CASCADE,
    role          text NOT NULL CHECK (role ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$'),
    node_number   integer NOT NULL CHECK (node_number > 0),
    instance_id   text NOT NULL CHECK (length(instance_id) BETWEEN 1 AND 128),
    ip            inet,
    hostname      text,
    host_key      text,
    state         text NOT NULL DEFAULT 'registered' CHECK (state IN ('registered', 'dead')),
    registered_at timestamptz NOT NULL DEFAULT now(),
    last_seen     timestamptz NOT NULL DEFAULT now(),
    dead_at       timestamptz,
    dead_reason   text,
    UNIQUE (test_id, instance_id)
);
-- The backstop behind register()'s lock: two live nodes can never share a number.
CREATE UNIQUE INDEX nodes_live_number ON spotsh.nodes (test_id, role, node_number)
    WHERE state = 'registered';

CREATE TABLE spotsh.events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    test_id     bigint REFERENCES spotsh.tests (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    kind        text NOT NULL,
    role        text,
    node_number integer,
    instance_id text,
    message     text
);
CREATE INDEX events_test ON spotsh.events (test_id, id);

-- Least privilege. Every test's registration role is a member of spotsh_nodes, which may
-- use the schema (to name the functions) and nothing more. Roles are cluster-wide, so
-- another database on a shared server may already have created it.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'spotsh_nodes') THEN
        CREATE ROLE spotsh_nodes NOLOGIN;
    END IF;
    -- PUBLIC may create temporary tables and, before PostgreSQL 15, tables in schema public:
    -- a node role must do neither.
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    IF EXISTS (SELECT FROM pg_namespace WHERE nspname = 'public') THEN
        REVOKE CREATE ON SCHEMA public FROM PUBLIC;
    END IF;
END $$;

GRANT USAGE ON SCHEMA spotsh TO spotsh_nodes;
-- Functions are executable by PUBLIC by default; here only by whom V002 grants.
ALTER DEFAULT PRIVILEGES IN SCHEMA spotsh REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
