-- V008: spot interruption notices reported by the nodes themselves (issue 22). EC2 gives the
-- two-minute warning to the instance (IMDS spot/instance-action), not through the spot request's
-- status, so each node watches its own metadata and reports a notice here the moment it appears.
-- report_interruption() is the third function a node role may call; like register() it runs as
-- the schema owner with a pinned search_path and fails closed: the session's own test only
-- (test_for_session), and only an instance spotsh requested for that test, in the role named,
-- that registered and is not dead. Every node of a test logs in as the test's one role, so the
-- role alone cannot tell one node from another: a node also proves it is the one that registered
-- the instance, with a secret of its own it sent when registering (register()'s 7-argument form
-- keeps its SHA-256; a reboot sends the same secret from the node's disk, another one is refused).
-- spotsh itself (not a node role) may record a notice for any node of the test.

ALTER TABLE spotsh.nodes ADD COLUMN interrupt_action text CHECK (interrupt_action IN ('terminate', 'stop', 'hibernate'));
ALTER TABLE spotsh.nodes ADD COLUMN interrupt_at timestamptz;
ALTER TABLE spotsh.nodes ADD COLUMN interrupt_reported_at timestamptz;
ALTER TABLE spotsh.nodes ADD COLUMN report_secret_hash bytea;

-- register() as V007 has it, and the node's own secret (16-128 characters, kept on its disk): the
-- first registration of an instance binds it; a later one (a reboot) must send the same, or is
-- refused and recorded as an event, before anything else happens.
CREATE FUNCTION spotsh.register(p_test text, p_role text, p_instance_id text,
                                p_ip text, p_hostname text, p_host_key text, p_secret text)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t      spotsh.tests;
    n      spotsh.nodes;
    hash   bytea;
    answer text;
BEGIN
    t := spotsh.test_for_session(p_test);
    IF p_secret IS NULL OR length(p_secret) NOT BETWEEN 16 AND 128 OR p_secret ~ '[[:cntrl:][:space:]]' THEN
        RAISE EXCEPTION 'register(test "%", instance %): a node secret is 16-128 printable characters', p_test,
            spotsh.shown(p_instance_id) USING ERRCODE = 'invalid_parameter_value';
    END IF;
    hash := sha256(convert_to(p_secret, 'UTF8'));
    SELECT * INTO n FROM spotsh.nodes WHERE test_id = t.id AND instance_id = p_instance_id AND state = 'registered';
    IF FOUND AND n.report_secret_hash IS NOT NULL AND n.report_secret_hash <> hash THEN
        INSERT INTO spotsh.events (test_id, kind, role, node_number, instance_id, message)
        VALUES (t.id, 'registration-refused', n.role, n.node_number, p_instance_id,
                'registered before with another node secret: not the node that registered it');
        RETURN 'refused: instance ' || p_instance_id || ' registered before with another node secret';
    END IF;
    answer := spotsh.register(p_test, p_role, p_instance_id, p_ip, p_hostname, p_host_key);
    IF answer ~ '^[0-9]+$' THEN
        UPDATE spotsh.nodes SET report_secret_hash = hash
         WHERE test_id = t.id AND instance_id = p_instance_id AND state = 'registered' AND report_secret_hash IS NULL;
    END IF;
    RETURN answer;
END $$;

REVOKE EXECUTE ON FUNCTION spotsh.register(text, text, text, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spotsh.register(text, text, text, text, text, text, text) TO spotsh_nodes;

-- Records the notice a node read from its instance metadata, as IMDS gives it (JSON, parsed here
-- rather than in the node's shell): {"action": "terminate"|"stop"|"hibernate", "time": ISO 8601}. Returns 'recorded', or 'known' when the same
-- notice was recorded before (the node's watcher may repeat itself after a lost answer, or spotsh
-- saw it first in the cloud's API).
CREATE FUNCTION spotsh.report_interruption(p_test text, p_role text, p_instance_id text, p_notice text,
                                           p_secret text)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t        spotsh.tests;
    n        spotsh.nodes;
    at       timestamptz;
    notice   jsonb;
    p_action text;
    p_time   text;
    what     text := format('report_interruption(test "%s", instance %s)', p_test, spotsh.shown(p_instance_id));
BEGIN
    t := spotsh.test_for_session(p_test);
    IF t.state IN ('finished', 'failed', 'terminated') THEN
        RAISE EXCEPTION 'test "%" is %: it takes no more reports', t.name, t.state USING ERRCODE = 'SP002';
    END IF;
    IF coalesce(p_instance_id, '') = '' OR length(p_instance_id) > 128 OR p_instance_id ~ '[[:cntrl:]]' THEN
        RAISE EXCEPTION '%: an instance id is 1-128 printable characters', what USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_notice IS NULL OR length(p_notice) > 1024 THEN
        RAISE EXCEPTION '%: the notice must be IMDS''s JSON, up to 1024 characters', what USING ERRCODE = 'invalid_parameter_value';
    END IF;
    BEGIN
        notice := p_notice::jsonb;
    EXCEPTION WHEN invalid_text_representation THEN
        RAISE EXCEPTION '%: the notice % is not JSON', what, spotsh.shown(p_notice) USING ERRCODE = 'invalid_parameter_value';
    END;
    IF jsonb_typeof(notice) = 'object' THEN
        p_action := notice->>'action';
        p_time := notice->>'time';
    END IF;
    IF p_action IS NULL OR p_action NOT IN ('terminate', 'stop', 'hibernate') THEN
        RAISE EXCEPTION '%: action % is not terminate, stop or hibernate', what, spotsh.shown(p_action)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_time IS NULL OR p_time !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:?[0-9]{2})$' THEN
        RAISE EXCEPTION '%: time % is not an ISO 8601 time like 2026-12-06T12:04:10Z', what, spotsh.shown(p_time)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    BEGIN
        at := p_time::timestamptz;
    EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
        RAISE EXCEPTION '%: time % is not a valid time', what, spotsh.shown(p_time) USING ERRCODE = 'invalid_parameter_value';
    END;

    SELECT * INTO n FROM spotsh.nodes WHERE test_id = t.id AND instance_id = p_instance_id FOR UPDATE;
    IF NOT FOUND OR n.role IS DISTINCT FROM p_role
       OR NOT EXISTS (SELECT FROM spotsh.instances WHERE test_id = t.id AND instance_id = p_instance_id AND role = n.role) THEN
        RAISE EXCEPTION '%: instance % is not a registered % node of test "%": a node reports only its own interruption',
            what, spotsh.shown(p_instance_id), spotsh.shown(p_role), t.name USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- the test's node role (test_for_session let no other node role this far) proves which node it is
    IF session_user = t.registration_role AND (n.report_secret_hash IS NULL
       OR p_secret IS NULL OR n.report_secret_hash <> sha256(convert_to(p_secret, 'UTF8'))) THEN
        RAISE EXCEPTION '%: only the node that registered instance % reports its interruption (its node secret)',
            what, p_instance_id USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF n.state <> 'registered' THEN
        RAISE EXCEPTION '%: instance % (% node %) of test "%" is dead', what, p_instance_id, n.role, n.node_number, t.name
            USING ERRCODE = 'SP001';
    END IF;
    -- the same notice again, or the one spotsh already saw in the cloud's API (whole seconds here, not there)
    IF n.interrupt_action = p_action AND abs(extract(epoch FROM n.interrupt_at - at)) < 1 THEN
        RETURN 'known';
    END IF;
    UPDATE spotsh.nodes SET interrupt_action = p_action, interrupt_at = at, interrupt_reported_at = now(), last_seen = now()
     WHERE id = n.id;
    INSERT INTO spotsh.events (test_id, kind, role, node_number, instance_id, message)
    VALUES (t.id, 'interruption-notice', n.role, n.node_number, p_instance_id,
            format('%s at %s (reported by the node)', p_action, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')));
    RETURN 'recorded';
END $$;

REVOKE EXECUTE ON FUNCTION spotsh.report_interruption(text, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spotsh.report_interruption(text, text, text, text, text) TO spotsh_nodes;
