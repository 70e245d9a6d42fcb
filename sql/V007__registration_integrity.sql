-- V007: registration integrity (issue 18). A node role is refused in every database but its
-- test's own; within its test it may register only an instance id spotsh requested, in the
-- role requested, and a registered node may not swap its host key on its own; node roles get
-- a connection limit and an idle timeout; inputs get length and type checks.
--
-- A refusal that must leave an event cannot RAISE (that would roll the event back): register()
-- returns text, the node number or 'refused: why' (final) or 'retry: why' (the launcher is still
-- recording the test's instances). Bad input, a closed test, a dead instance and a foreign role
-- still RAISE: nothing about them needs recording.

-- A different host key offered by a registered instance waits here for cluster.trust().
ALTER TABLE spotsh.nodes ADD COLUMN pending_host_key text;
ALTER TABLE spotsh.nodes ADD COLUMN pending_ip inet;
ALTER TABLE spotsh.nodes ADD COLUMN pending_hostname text;
ALTER TABLE spotsh.nodes ADD COLUMN pending_at timestamptz;
-- Backstops behind register()'s checks; NOT VALID: rows stored before are not re-checked.
ALTER TABLE spotsh.nodes ADD CONSTRAINT nodes_hostname_length CHECK (length(hostname) <= 255) NOT VALID;
ALTER TABLE spotsh.nodes ADD CONSTRAINT nodes_host_key_length CHECK (length(host_key) <= 4096) NOT VALID;
ALTER TABLE spotsh.nodes ADD CONSTRAINT nodes_pending_host_key_length CHECK (length(pending_host_key) <= 4096);
ALTER TABLE spotsh.nodes ADD CONSTRAINT nodes_pending_hostname_length CHECK (length(pending_hostname) <= 255);

-- Set while the launcher is requesting instances: a provider returns the ids only after the
-- instances exist, so a fast node can phone home before its id is recorded. Until then an
-- unknown id is told to retry; afterwards it is refused. A launcher that died leaves a time
-- that passes.
ALTER TABLE spotsh.tests ADD COLUMN requesting_until timestamptz;

-- A value for a message: quoted, control characters replaced, long ones cut to 40 characters
-- with their length, so a 5 MB input never becomes a 5 MB error.
CREATE FUNCTION spotsh.shown(p_value text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN p_value IS NULL THEN 'null'
                ELSE quote_literal(regexp_replace(left(p_value, 40), '[[:cntrl:]]', '?', 'g'))
                     || CASE WHEN length(p_value) > 40 THEN format('... (%s characters)', length(p_value)) ELSE '' END
           END
$$;

-- The limits every node role has: a node calls for milliseconds, so a few connection slots and
-- short timeouts are plenty, and no test's nodes can take every slot of a shared server.
CREATE FUNCTION spotsh.limit_node_role(p_role text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    EXECUTE format('ALTER ROLE %I CONNECTION LIMIT %s', p_role,
                   greatest(2, current_setting('max_connections')::integer / 4));
    EXECUTE format('ALTER ROLE %I SET statement_timeout = %L', p_role, '60s');
    EXECUTE format('ALTER ROLE %I SET idle_in_transaction_session_timeout = %L', p_role, '60s');
    IF current_setting('server_version_num')::integer >= 140000 THEN  -- idle_session_timeout is new in 14
        EXECUTE format('ALTER ROLE %I SET idle_session_timeout = %L', p_role, '60s');
    END IF;
END $$;

-- create_test() names the role last (UPDATE ... SET registration_role); limiting it there, in a
-- trigger, leaves create_test as it is for whoever else changes it.
CREATE FUNCTION spotsh.limit_registration_role() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NEW.registration_role IS NOT NULL
       AND NEW.registration_role IS DISTINCT FROM OLD.registration_role
       AND EXISTS (SELECT FROM pg_roles WHERE rolname = NEW.registration_role) THEN
        PERFORM spotsh.limit_node_role(NEW.registration_role);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER tests_limit_registration_role AFTER UPDATE OF registration_role ON spotsh.tests
    FOR EACH ROW EXECUTE FUNCTION spotsh.limit_registration_role();

-- The roles of tests created before this migration (closed ones too: they can be reopened).
DO $$
DECLARE
    r text;
BEGIN
    FOR r IN SELECT t.registration_role FROM spotsh.tests t JOIN pg_roles ON rolname = t.registration_role LOOP
        PERFORM spotsh.limit_node_role(r);
    END LOOP;
END $$;

-- The test a session may act on. A node role (any member of spotsh_nodes: the group is shared
-- by every registry database of the server) may act on its own test only, and nowhere else;
-- superusers and the schema's owner may act on any. Fails closed: a role of another database's
-- test is not in this database's tests, and is refused all the same.
CREATE OR REPLACE FUNCTION spotsh.test_for_session(p_test text) RETURNS spotsh.tests
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t       spotsh.tests;
    is_node boolean;
BEGIN
    -- pg_has_role is true for superusers; USAGE, not MEMBER: from PostgreSQL 16 a role's creator
    -- holds a non-inheriting ADMIN membership in it, and the owner who created spotsh_nodes is no node
    SELECT NOT r.rolsuper
           AND r.rolname <> (SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'spotsh')
           AND (pg_has_role(r.oid, 'spotsh_nodes', 'USAGE')
                OR EXISTS (SELECT FROM spotsh.tests WHERE registration_role = session_user))
      INTO is_node
      FROM pg_roles r WHERE r.rolname = session_user;
    IF p_test IS NULL OR p_test !~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$' THEN
        RAISE EXCEPTION 'test name % is not a test name (1-63 letters, digits, ".", "_" or "-")', spotsh.shown(p_test)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO t FROM spotsh.tests WHERE name = p_test;
    IF coalesce(is_node, true) AND t.registration_role IS DISTINCT FROM session_user THEN
        RAISE EXCEPTION 'role % may not register into test "%" of database %', session_user, p_test, current_database()
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF t.id IS NULL THEN
        RAISE EXCEPTION 'no test named "%"', p_test USING ERRCODE = 'no_data_found';
    END IF;
    RETURN t;
END $$;

-- Whether register()'s inputs are well formed; raises naming the first that is not. Limits:
-- role as a role name, instance id 1-128 characters, ip an inet, hostname 255 characters (DNS),
-- host key 4096 characters ("type base64 [comment]": an RSA 16384-bit key is ~2.8 KB).
CREATE FUNCTION spotsh.check_registration(p_test text, p_role text, p_instance_id text, p_ip text,
                                          p_hostname text, p_host_key text)
RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    what text := format('register(test "%s", instance %s)', p_test, spotsh.shown(p_instance_id));
BEGIN
    IF coalesce(p_instance_id, '') = '' OR coalesce(p_role, '') = '' THEN
        RAISE EXCEPTION '%: role and instance id must not be empty', what USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF length(p_instance_id) > 128 OR p_instance_id ~ '[[:cntrl:]]' THEN
        RAISE EXCEPTION '%: an instance id is 1-128 printable characters', what USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_role !~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$' THEN
        RAISE EXCEPTION '%: role % must be 1-63 letters, digits, ".", "_" or "-"', what, spotsh.shown(p_role)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_ip IS NOT NULL AND p_ip <> '' THEN
        IF length(p_ip) > 64 THEN
            RAISE EXCEPTION '%: ip % is not an IP address', what, spotsh.shown(p_ip) USING ERRCODE = 'invalid_parameter_value';
        END IF;
        BEGIN
            PERFORM p_ip::inet;
        EXCEPTION WHEN invalid_text_representation THEN
            RAISE EXCEPTION '%: ip % is not an IP address', what, spotsh.shown(p_ip) USING ERRCODE = 'invalid_parameter_value';
        END;
    END IF;
    IF length(p_hostname) > 255 OR p_hostname ~ '[[:cntrl:]]' THEN
        RAISE EXCEPTION '%: hostname % is over 255 characters or has control characters', what, spotsh.shown(p_hostname)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF length(p_host_key) > 4096 THEN
        RAISE EXCEPTION '%: host key of % characters is over the limit of 4096', what, length(p_host_key)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_host_key <> '' AND p_host_key !~ '^[A-Za-z0-9@._-]+ [A-Za-z0-9+/]+=*( [^[:cntrl:]]*)?$' THEN
        RAISE EXCEPTION '%: host key % is not an OpenSSH public key line ("type base64 [comment]")', what, spotsh.shown(p_host_key)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
END $$;

-- Records a refused registration as an event, once per instance, reason and kind, and at most
-- 1000 per test (a password holder calling in a loop must not fill the disk); returns the answer.
CREATE FUNCTION spotsh.refuse(p_test spotsh.tests, p_kind text, p_role text, p_instance_id text,
                              p_node_number integer, p_reason text)
RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM spotsh.events WHERE test_id = p_test.id AND kind = p_kind
                                               AND instance_id = p_instance_id AND message = p_reason)
       AND (SELECT count(*) FROM spotsh.events WHERE test_id = p_test.id
                                                 AND kind IN ('registration-refused', 'host-key-refused')) < 1000 THEN
        INSERT INTO spotsh.events (test_id, kind, role, node_number, instance_id, message)
        VALUES (p_test.id, p_kind, p_role, p_node_number, p_instance_id, p_reason);
    END IF;
    RETURN 'refused: ' || p_reason;
END $$;

-- Registers a node and returns its number (as text): unique and dense per (test, role) from 1,
-- in order of reporting; the same number again for the same instance id; the lowest number a
-- dead node freed, if any. Only an instance requested for the test, in the role requested, is
-- taken; a registered instance offering another host key is refused and its offer kept aside.
DROP FUNCTION spotsh.register(text, text, text, text, text, text);
CREATE FUNCTION spotsh.register(p_test text, p_role text, p_instance_id text,
                                p_ip text, p_hostname text, p_host_key text)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t       spotsh.tests;
    n       spotsh.nodes;
    i       spotsh.instances;
    key     text := nullif(p_host_key, '');
    live    bigint;
    highest integer;
    number  integer;
BEGIN
    t := spotsh.test_for_session(p_test);
    IF t.state IN ('finished', 'failed', 'terminated') THEN
        RAISE EXCEPTION 'test "%" is %: it takes no more registrations', t.name, t.state
            USING ERRCODE = 'SP002';
    END IF;
    PERFORM spotsh.check_registration(t.name, p_role, p_instance_id, p_ip, p_hostname, p_host_key);

    SELECT * INTO n FROM spotsh.nodes WHERE test_id = t.id AND instance_id = p_instance_id;
    IF FOUND AND n.state = 'dead' THEN
        RAISE EXCEPTION 'instance % was marked dead in test "%" (role %, node %): %; a replacement must come with a new instance id',
            p_instance_id, t.name, n.role, n.node_number, coalesce(n.dead_reason, 'no reason given')
            USING ERRCODE = 'SP001';
    END IF;

    SELECT * INTO i FROM spotsh.instances WHERE test_id = t.id AND instance_id = p_instance_id;
    IF NOT FOUND THEN
        IF t.requesting_until > now() THEN
            RETURN format('retry: instance %s is not (yet) recorded for test "%s": spotsh is still requesting its instances',
                          p_instance_id, t.name);
        END IF;
        RETURN spotsh.refuse(t, 'registration-refused', p_role, p_instance_id, NULL,
                             format('instance %s was never requested for test "%s"', p_instance_id, t.name));
    END IF;
    IF i.role <> p_role THEN
        RETURN spotsh.refuse(t, 'registration-refused', p_role, p_instance_id, NULL,
                             format('instance %s was requested for test "%s" as role %s, not %s',
                                    p_instance_id, t.name, i.role, p_role));
    END IF;
    IF i.state NOT IN ('requested', 'running') THEN
        RETURN spotsh.refuse(t, 'registration-refused', p_role, p_instance_id, NULL,
                             format('instance %s of test "%s" is %s: it takes no number', p_instance_id, t.name,
                                    CASE i.state WHEN 'dud' THEN 'a dud that was replaced' ELSE i.state END));
    END IF;

    PERFORM spotsh.lock_numbering(t.id, p_role);
    -- again under the lock: a concurrent call for the same instance may have inserted it
    SELECT * INTO n FROM spotsh.nodes WHERE test_id = t.id AND instance_id = p_instance_id FOR UPDATE;
    IF FOUND THEN
        IF n.role <> p_role THEN
            RAISE EXCEPTION 'instance % is already registered in test "%" as role % (node %), not %',
                p_instance_id, t.name, n.role, n.node_number, p_role
                USING ERRCODE = 'SP003';
        END IF;
        IF n.host_key IS NOT NULL AND key IS NOT NULL AND key <> n.host_key THEN
            -- spotsh keeps the pinned key until the operator says otherwise
            UPDATE spotsh.nodes
               SET pending_host_key = key, pending_ip = nullif(p_ip, '')::inet,
                   pending_hostname = nullif(p_hostname, ''), pending_at = now()
             WHERE id = n.id;
            RETURN spotsh.refuse(t, 'host-key-refused', p_role, p_instance_id, n.node_number,
                                 format('instance %s (%s node %s) of test "%s" offered another host key than the one pinned;'
                                        ' cluster.trust(''%s'') accepts it', p_instance_id, p_role, n.node_number,
                                        t.name, p_instance_id));
        END IF;
        -- a reboot: same number, fresh address; a node without a key yet pins the one it offers
        UPDATE spotsh.nodes
           SET ip = nullif(p_ip, '')::inet, hostname = nullif(p_hostname, ''),
               host_key = coalesce(host_key, key), last_seen = now()
         WHERE id = n.id;
        INSERT INTO spotsh.events (test_id, kind, role, node_number, instance_id, message)
        VALUES (t.id, 'node-reregistered', p_role, n.node_number, p_instance_id, concat_ws(' ', p_hostname, p_ip));
        RETURN n.node_number::text;
    END IF;

    SELECT count(*), coalesce(max(node_number), 0) INTO live, highest
      FROM spotsh.nodes WHERE test_id = t.id AND role = p_role AND state = 'registered';
    IF live = highest THEN
        number := highest + 1;  -- no gaps: the common case, answered from the index
    ELSE
        SELECT min(g) INTO number FROM generate_series(1, highest) g
         WHERE NOT EXISTS (SELECT FROM spotsh.nodes
                            WHERE test_id = t.id AND role = p_role AND state = 'registered' AND node_number = g);
    END IF;

    INSERT INTO spotsh.nodes (test_id, role, node_number, instance_id, ip, hostname, host_key)
    VALUES (t.id, p_role, number, p_instance_id, nullif(p_ip, '')::inet, nullif(p_hostname, ''), key)
    RETURNING node_number INTO number;
    UPDATE spotsh.instances SET state = 'running', state_changed_at = now()
     WHERE id = i.id AND state = 'requested';
    INSERT INTO spotsh.events (test_id, kind, role, node_number, instance_id, message)
    VALUES (t.id, 'node-registered', p_role, number, p_instance_id, concat_ws(' ', p_hostname, p_ip));
    RETURN number::text;
END $$;

-- The operator accepts the host key a registered node offered (and the address it came with);
-- returns the node's number. Not granted to nodes.
CREATE FUNCTION spotsh.trust_host_key(p_test text, p_instance_id text) RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t spotsh.tests;
    n spotsh.nodes;
BEGIN
    SELECT * INTO t FROM spotsh.tests WHERE name = p_test;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no test named "%"', p_test USING ERRCODE = 'no_data_found';
    END IF;
    SELECT * INTO n FROM spotsh.nodes WHERE test_id = t.id AND instance_id = p_instance_id AND state = 'registered'
       FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'instance % is not a registered node of test "%"', p_instance_id, p_test USING ERRCODE = 'SP004';
    END IF;
    IF n.pending_host_key IS NULL THEN
        RAISE EXCEPTION 'instance % (% node %) of test "%" offered no other host key: nothing to trust',
            p_instance_id, n.role, n.node_number, p_test USING ERRCODE = 'no_data_found';
    END IF;
    UPDATE spotsh.nodes
       SET host_key = pending_host_key, ip = coalesce(pending_ip, ip), hostname = coalesce(pending_hostname, hostname),
           last_seen = greatest(last_seen, pending_at),
           pending_host_key = NULL, pending_ip = NULL, pending_hostname = NULL, pending_at = NULL
     WHERE id = n.id;
    INSERT INTO spotsh.events (test_id, kind, role, node_number, instance_id, message)
    VALUES (t.id, 'host-key-trusted', n.role, n.node_number, p_instance_id,
            format('the host key offered at %s replaces the pinned one (by %s)', n.pending_at, session_user));
    RETURN n.node_number;
END $$;

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA spotsh FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spotsh.register(text, text, text, text, text, text) TO spotsh_nodes;
