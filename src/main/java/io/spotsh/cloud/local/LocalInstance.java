package io.spotsh.cloud.local;

import io.spotsh.cloud.Instance;
import io.spotsh.cloud.InstanceState;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the local cloud knows of one instance: the public picture ({@link #toInstance()}) plus its fault plan
 * and boot progress. Mutable, guarded by {@link LocalCloud}'s lock; persisted as JSON by {@link InstanceStore}.
 */
final class LocalInstance {
    final String id;
    final String zone;
    final String instanceType;
    final String ip;
    final int sshPort;
    final Map<String, String> tags;
    final Instant launchedAt;
    final boolean dud;
    final boolean sshUnreachable;
    /** When userdata is due to run (launch time plus the slow-boot delay). */
    final Instant bootAt;
    /** A spot interruption is planned: the notice at {@code noticeAt}, the end at {@code reclaimAt}. */
    Instant noticeAt;
    Instant reclaimAt;
    boolean noticeGiven;
    InstanceState state;
    String stateReason;
    Instant bootStartedAt;
    /** The session userdata runs in, so a terminate (even by a restarted daemon) finds what it started. */
    NodeProcesses.Session bootSession;
    Integer bootExit;
    Instant terminatedAt;

    LocalInstance(String id, String zone, String instanceType, String ip, int sshPort, Map<String, String> tags,
                  Instant launchedAt, boolean dud, boolean sshUnreachable, Instant bootAt) {
        this.id = id;
        this.zone = zone;
        this.instanceType = instanceType;
        this.ip = ip;
        this.sshPort = sshPort;
        this.tags = Map.copyOf(tags);
        this.launchedAt = launchedAt;
        this.dud = dud;
        this.sshUnreachable = sshUnreachable;
        this.bootAt = bootAt;
        this.state = InstanceState.RUNNING;
    }

    boolean live() {
        return state.live();
    }

    /** Its SSH server answers once boot has started, unless it is a dud or unreachable by plan. */
    boolean sshAnswers() {
        return live() && bootStartedAt != null && !dud && !sshUnreachable;
    }

    Instance toInstance() {
        return new Instance(id, zone, instanceType, state, ip, null, sshPort, stateReason,
                noticeGiven ? reclaimAt : null, tags, launchedAt);
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("zone", zone);
        m.put("instanceType", instanceType);
        m.put("ip", ip);
        m.put("sshPort", sshPort);
        m.put("tags", tags);
        m.put("launchedAt", Wire.text(launchedAt));
        m.put("dud", dud);
        m.put("sshUnreachable", sshUnreachable);
        m.put("bootAt", Wire.text(bootAt));
        m.put("noticeAt", Wire.text(noticeAt));
        m.put("reclaimAt", Wire.text(reclaimAt));
        m.put("noticeGiven", noticeGiven);
        m.put("state", state.toString());
        m.put("stateReason", stateReason);
        m.put("bootStartedAt", Wire.text(bootStartedAt));
        m.put("bootSid", bootSession == null ? null : bootSession.sid());
        m.put("bootLeaderStart", bootSession == null ? null : bootSession.leaderStart());
        m.put("bootExit", bootExit);
        m.put("terminatedAt", Wire.text(terminatedAt));
        return m;
    }

    @SuppressWarnings("unchecked")
    static LocalInstance fromMap(Map<String, Object> m) {
        LocalInstance i = new LocalInstance((String) m.get("id"), (String) m.get("zone"), (String) m.get("instanceType"),
                (String) m.get("ip"), ((Number) m.get("sshPort")).intValue(), (Map<String, String>) m.get("tags"),
                Wire.instant(m.get("launchedAt")), Boolean.TRUE.equals(m.get("dud")),
                Boolean.TRUE.equals(m.get("sshUnreachable")), Wire.instant(m.get("bootAt")));
        i.noticeAt = Wire.instant(m.get("noticeAt"));
        i.reclaimAt = Wire.instant(m.get("reclaimAt"));
        i.noticeGiven = Boolean.TRUE.equals(m.get("noticeGiven"));
        i.state = InstanceState.parse((String) m.get("state"));
        i.stateReason = (String) m.get("stateReason");
        i.bootStartedAt = Wire.instant(m.get("bootStartedAt"));
        i.bootSession = m.get("bootSid") == null ? null : new NodeProcesses.Session(((Number) m.get("bootSid")).longValue(),
                ((Number) m.get("bootLeaderStart")).longValue());
        i.bootExit = m.get("bootExit") == null ? null : ((Number) m.get("bootExit")).intValue();
        i.terminatedAt = Wire.instant(m.get("terminatedAt"));
        return i;
    }
}
