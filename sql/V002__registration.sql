-- V002: what nodes and operators call. A node's role may execute register() and
-- heartbeat() and nothing else; both run as the schema owner (SECURITY DEFINER) with a
-- pinned search_path, and accept a call only for the test whose role the session logged
-- in as. The operator functions (create_test, set_test_state, mark_dead) are not granted
-- to anyone: only the owner and superusers run them.

-- The test a session may act on. A session whose login role is some test's registration
-- role may act on that test only; any other caller got past the EXECUTE grants, so it is
-- the owner or a superuser. A node learns nothing about tests that are not its own.
CREATE FUNCTION spotsh.test_for_session(p_test text) RETURNS spotsh.tests
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t spotsh.tests;
BEGIN
    SELECT * INTO t FROM spotsh.tests WHERE name = p_test;
    IF t.registration_role IS DISTINCT FROM session_user
       AND EXISTS (SELECT FROM spotsh.tests WHERE registration_role = session_user) THEN
        RAISE EXCEPTION 'role % may not register into test "%"', session_user, p_test
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF t.id IS NULL THEN
        RAISE EXCEPTION 'no test named "%"', p_test USING ERRCODE = 'no_data_found';
    END IF;
    RETURN t;
END $$;

-- The lock that serialises numbering within one (test, role); mark_dead takes it too.
CREATE FUNCTION spotsh.lock_numbering(p_test_id bigint, p_role text) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_advisory_xact_lock(hashtextextended('spotsh.numbering/' || p_test_id || '/' || p_role, 0));
$$;

-- Registers a node and returns its number: unique and dense per (test, role) from 1, in
-- order of reporting; the same number again for the same instance id; the lowest number
-- a dead node freed, if any. A dead instance may not come back.
CREATE FUNCTION spotsh.register(p_test text, p_role text, p_instance_id text,
                                p_ip text, p_hostname text, p_host_key text)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t       spotsh.tests;
    n       spotsh.nodes;
    live    bigint;
    highest integer;
    number  integer;
BEGIN
    t := spotsh.test_for_session(p_test);
    IF t.state IN ('finished', 'failed', 'terminated') THEN
        RAISE EXCEPTION 'test "%" is %: it takes no more registrations', t.name, t.state
            USING ERRCODE = 'SP002';
    END IF;
    IF coalesce(p_role, '') = '' OR coalesce(p_instance_id, '') = '' THEN
        RAISE EXCEPTION 'register(test "%"): role and instance id must not be empty', t.name
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM spotsh.lock_numbering(t.id, p_role);

    SELECT * INTO n FROM spotsh.nodes WHERE test_id = t.id AND instance_id = p_instance_id;
    IF FOUND THEN
        IF n.state = 'dead' THEN
            RAISE EXCEPTION 'instance % was marked dead in test "%" (role %, node %): %; a replacement must come with a new instance id',
                p_instance_id, t.name, n.role, n.node_number, coalesce(n.dead_reason, 'no reason given')
                USING ERRCODE = 'SP001';
        END IF;
        IF n.role <> p_role THEN
            RAISE EXCEPTION 'instance % is already registered in test "%" as role % (node %), not %',
                p_instance_id, t.name, n.role, n.node_number, p_role
                USING ERRCODE = 'SP003';
        END IF;
        -- a reboot: same number, fresh address
        UPDATE spotsh.nodes
           SET ip = nullif(p_ip, '')::inet, hostname = nullif(p_hostname, ''),
               host_key = coalesce(nullif(p_host_key, ''), host_key), last_seen = now()
         WHERE id = n.id;
        INSERT INTO spotsh.events (test_id, kind, role, node_number, instance_id, message)
        VALUES (t.id, 'node-reregistered', p_role, n.node_number, p_instance_id,
                concat_ws(' ', p_hostname, p_ip,
                          CASE WHEN n.host_key IS DISTINCT FROM nullif(p_host_key, '') AND nullif(p_host_key, '') IS NOT NULL
                                    AND n.host_key IS NOT NULL THEN '(host key changed)' END));
        RETURN n.node_number;
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
    VALUES (t.id, p_role, number, p_instance_id, nullif(p_ip, '')::inet, nullif(p_hostname, ''), nullif(p_host_key, ''))
    RETURNING node_number INTO number;
    UPDATE spotsh.instances SET state = 'running', state_changed_at = now()
     WHERE test_id = t.id AND instance_id = p_instance_id AND state = 'requested';
    INSERT INTO spotsh.events (test_id, kind, role, node_number, instance_id, message)
    VALUES (t.id, 'node-registered', p_role, number, p_instance_id, concat_ws(' ', p_hostname, p_ip));
    RETURN number;
END $$;

-- A live node says it is still there; returns its number. A dead node is told so.
CREATE FUNCTION spotsh.heartbeat(p_test text, p_instance_id text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t spotsh.tests;
    n spotsh.nodes;
BEGIN
    t := spotsh.test_for_session(p_test);
    UPDATE spotsh.nodes SET last_seen = now()
     WHERE test_id = t.id AND instance_id = p_instance_id AND state = 'registered'
    RETURNING * INTO n;
    IF FOUND THEN
        RETURN n.node_number;
    END IF;
    IF EXISTS (SELECT FROM spotsh.nodes WHERE test_id = t.id AND instance_id = p_instance_id) THEN
        RAISE EXCEPTION 'instance % was marked dead in test "%"', p_instance_id, t.name USING ERRCODE = 'SP001';
    END IF;
    RAISE EXCEPTION 'instance % has not registered in test "%"', p_instance_id, t.name USING ERRCODE = 'SP004';
END $$;

-- HMAC-SHA-256 (RFC 2104), for scram_verifier(). 54 and 92 are the ipad and opad bytes.
CREATE FUNCTION spotsh.hmac_sha256(p_key bytea, p_message bytea) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog, pg_temp AS $$
    WITH k AS (SELECT CASE WHEN length(p_key) > 64 THEN sha256(p_key) ELSE p_key END AS key),
         pads AS (
             SELECT decode(string_agg(lpad(to_hex(b # 54), 2, '0'), '' ORDER BY i), 'hex') AS inner_pad,
                    decode(string_agg(lpad(to_hex(b # 92), 2, '0'), '' ORDER BY i), 'hex') AS outer_pad
               FROM k, generate_series(0, 63) AS i,
                    LATERAL (SELECT CASE WHEN i < length(k.key) THEN get_byte(k.key, i) ELSE 0 END AS b) AS byte)
    SELECT sha256(outer_pad || sha256(inner_pad || p_message)) FROM pads
$$;

-- a XOR b for byte strings of equal length
CREATE FUNCTION spotsh.xor_bytes(a bytea, b bytea) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog, pg_temp AS $$
    SELECT decode(string_agg(lpad(to_hex(get_byte(a, i) # get_byte(b, i)), 2, '0'), '' ORDER BY i), 'hex')
      FROM generate_series(0, length(a) - 1) AS i
$$;

-- The SCRAM-SHA-256 secret PostgreSQL stores for a password (RFC 5802/7677), with a chosen
-- iteration count. The count only slows down guessing of weak passwords; for registration
-- passwords (244 random bits) it buys nothing, while every node pays it at every login:
-- 4096 rounds of PBKDF2 cost a node's psql ~3 ms of CPU, 64 rounds ~0.05 ms.
CREATE FUNCTION spotsh.scram_verifier(p_password text, p_iterations integer) RETURNS text
LANGUAGE plpgsql VOLATILE STRICT SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    password bytea := convert_to(p_password, 'UTF8');
    salt     bytea := decode(replace(gen_random_uuid()::text, '-', ''), 'hex');
    u        bytea;
    salted   bytea;
BEGIN
    IF p_password !~ '^[\x21-\x7e]+$' THEN
        -- SASLprep would have to normalise anything else first
        RAISE EXCEPTION 'scram_verifier takes printable ASCII passwords only' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- PBKDF2-HMAC-SHA-256 with one 32-byte block: U1 = HMAC(P, salt || 1), Ui = HMAC(P, Ui-1), XOR of all U
    u := spotsh.hmac_sha256(password, salt || '\x00000001'::bytea);
    salted := u;
    FOR i IN 2..p_iterations LOOP
        u := spotsh.hmac_sha256(password, u);
        salted := spotsh.xor_bytes(salted, u);
    END LOOP;
    RETURN format('SCRAM-SHA-256$%s:%s$%s:%s', p_iterations, encode(salt, 'base64'),
                  encode(sha256(spotsh.hmac_sha256(salted, convert_to('Client Key', 'UTF8'))), 'base64'),
                  encode(spotsh.hmac_sha256(salted, convert_to('Server Key', 'UTF8')), 'base64'));
END $$;

-- Creates a test and its registration role, with a password made on the server from its
-- strong random source (64 hex digits: alphanumeric, so a URI needs no escaping).
CREATE FUNCTION spotsh.create_test(p_name text, p_type text, p_provider text, p_params jsonb,
                                   p_ttl interval, p_owner text DEFAULT session_user)
RETURNS spotsh.tests
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t         spotsh.tests;
    role_name text;
BEGIN
    IF EXISTS (SELECT FROM spotsh.tests WHERE name = p_name) THEN
        RAISE EXCEPTION 'a test named "%" already exists', p_name USING ERRCODE = 'unique_violation';
    END IF;
    INSERT INTO spotsh.tests (name, type, provider, owner, params, expires_at)
    VALUES (p_name, p_type, p_provider, coalesce(p_owner, session_user), coalesce(p_params, '{}'::jsonb), now() + p_ttl)
    RETURNING * INTO t;
    -- the random suffix keeps names unique across databases of one shared server
    role_name := format('spotsh_reg_%s_%s', t.id, left(md5(gen_random_uuid()::text), 8));
    EXECUTE format('CREATE ROLE %I LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION IN ROLE spotsh_nodes',
                   role_name);
    -- a node calls for milliseconds; one that hangs on must not keep a connection slot
    EXECUTE format('ALTER ROLE %I SET statement_timeout = %L', role_name, '60s');
    EXECUTE format('ALTER ROLE %I SET idle_in_transaction_session_timeout = %L', role_name, '60s');
    -- a statement of its own, so that an error in CREATE ROLE can never echo the password;
    -- only the SCRAM secret reaches ALTER ROLE
    INSERT INTO spotsh.test_credentials (test_id, password)
    VALUES (t.id, replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));
    EXECUTE format('ALTER ROLE %I PASSWORD %L', role_name,
                   spotsh.scram_verifier((SELECT password FROM spotsh.test_credentials WHERE test_id = t.id), 64));
    UPDATE spotsh.tests SET registration_role = role_name WHERE id = t.id RETURNING * INTO t;
    INSERT INTO spotsh.events (test_id, kind, message)
    VALUES (t.id, 'test-created', format('type %s, provider %s, expires %s', p_type, p_provider,
                                         coalesce(t.expires_at::text, 'never')));
    RETURN t;
END $$;

-- Moves a test to another state. Once finished, failed or terminated its nodes can no
-- longer log in; moving it back to an open state lets them in again.
CREATE FUNCTION spotsh.set_test_state(p_test text, p_state text) RETURNS spotsh.tests
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t      spotsh.tests;
    closed boolean := p_state IN ('finished', 'failed', 'terminated');
BEGIN
    UPDATE spotsh.tests
       SET state = p_state,
           finished_at = CASE WHEN closed THEN coalesce(finished_at, now()) END
     WHERE name = p_test
    RETURNING * INTO t;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no test named "%"', p_test USING ERRCODE = 'no_data_found';
    END IF;
    IF t.registration_role IS NOT NULL THEN
        EXECUTE format('ALTER ROLE %I %s', t.registration_role, CASE WHEN closed THEN 'NOLOGIN' ELSE 'LOGIN' END);
    END IF;
    INSERT INTO spotsh.events (test_id, kind, message) VALUES (t.id, 'test-state', p_state);
    RETURN t;
END $$;

-- Marks a registered node dead, freeing its number for a replacement; returns the number.
-- Marking a dead node again changes nothing.
CREATE FUNCTION spotsh.mark_dead(p_test text, p_instance_id text, p_reason text) RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t spotsh.tests;
    n spotsh.nodes;
BEGIN
    SELECT * INTO t FROM spotsh.tests WHERE name = p_test;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no test named "%"', p_test USING ERRCODE = 'no_data_found';
    END IF;
    SELECT * INTO n FROM spotsh.nodes WHERE test_id = t.id AND instance_id = p_instance_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'instance % has not registered in test "%"', p_instance_id, p_test USING ERRCODE = 'SP004';
    END IF;
    IF n.state = 'dead' THEN
        RETURN n.node_number;
    END IF;
    PERFORM spotsh.lock_numbering(t.id, n.role);
    UPDATE spotsh.nodes SET state = 'dead', dead_at = now(), dead_reason = p_reason WHERE id = n.id;
    INSERT INTO spotsh.events (test_id, kind, role, node_number, instance_id, message)
    VALUES (t.id, 'node-dead', n.role, n.node_number, p_instance_id, p_reason);
    RETURN n.node_number;
END $$;

-- Drops a test, its rows and its registration role, so that its name can be used again.
CREATE FUNCTION spotsh.delete_test(p_test text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t spotsh.tests;
BEGIN
    DELETE FROM spotsh.tests WHERE name = p_test RETURNING * INTO t;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no test named "%"', p_test USING ERRCODE = 'no_data_found';
    END IF;
    IF t.registration_role IS NOT NULL THEN
        EXECUTE format('DROP ROLE IF EXISTS %I', t.registration_role);
    END IF;
END $$;

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA spotsh FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spotsh.register(text, text, text, text, text, text) TO spotsh_nodes;
GRANT EXECUTE ON FUNCTION spotsh.heartbeat(text, text) TO spotsh_nodes;
