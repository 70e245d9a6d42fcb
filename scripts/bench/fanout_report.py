#!/usr/bin/env python3
"""Turns scripts/bench/results/fanout.csv into the markdown report: one table per node count, the sshd side's own
CPU (the floor under every client's wall time), spotsh with its own SSH crypto pieces on and off (when the run
measured them: FANOUT_CRYPTO), then spotsh's fan-out goals at the largest count (cold wall <= 0.8x
the fastest peer with client CPU <= 0.25x that peer's; warm wall <= 0.2x the fastest warm peer; peak RSS with all
connections open <= 400 MB), each marked met or missed, for every one of spotsh's cold figures.

Usage: fanout_report.py CSV CORES JAVA_VERSION OPENSSH_VERSION [LOAD_NOTE [SSHD_METER]]"""
import csv
import sys

PEERS = ["xargs", "pdsh", "clush"]
TOOL_NAMES = {"xargs": "xargs -P 64 ssh", "pdsh": "pdsh -R ssh -f 64", "clush": "clush -f 64", "spotsh": "spotsh"}
COMMANDS = {"true": "`true`", "uname": "`uname -a`", "1mib": "1 MiB output", "sleep2": "`sleep 2`"}
MODES = {
    "cold": "cold",
    "cold-inproc": "cold, in a running JVM, JIT cold",
    "cold-inproc-jit": "cold, in a running JVM, JIT warmed elsewhere",
    "cold-inproc-steady": "cold, in a running JVM, JIT steady",
    "warm": "warm",
    "warm-sessions": "warm, a session per command (resident shell off)",
}
COLD_FIGURES = {
    "cold": "process-cold (new JVM: start, set-up, fan-out, exit)",
    "cold-inproc": "connection-cold in a running JVM, JIT cold",
    "cold-inproc-jit": "connection-cold in a running JVM, JIT warmed on 300 handshakes to 50 other endpoints",
    "cold-inproc-steady": "connection-cold in a running JVM, JIT steady (1500 handshakes to 50 other endpoints first)",
}


def num(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def main(path, cores, java, openssh, load=None, meter="perf"):
    rows = [r for r in csv.DictReader(open(path)) if not r["mode"].startswith("failure")]
    if not rows:
        return
    cores = int(cores)
    sizes = sorted({int(r["n"]) for r in rows})
    tools = [t for t in ["xargs", "pdsh", "clush", "spotsh"] if any(r["tool"] == t for r in rows)]
    runs = rows[0]["runs"]
    dates = sorted({r["date"] for r in rows})
    print(f"# Fan-out: spotsh vs xargs/pdsh/clush ({', '.join(dates)}; {cores} cores; {java}; {openssh})")
    print()
    if len(dates) > 1:
        # a CSV merged from runs of some commands only (FANOUT_COMMANDS): say which rows come from which run
        parts = []
        for d in dates:
            names = [c for c in COMMANDS if any(r["date"] == d and r["command"] == c for r in rows)]
            parts.append(f"{', '.join(COMMANDS[c] for c in names)} from the run of {d}")
        print(f"Rows from {len(dates)} runs of scripts/bench/fanout.sh on this machine: {'; '.join(parts)} "
              "(the CSV's date column). Within a command every tool's figures come from the same run.")
        print()
    if load:
        print(f"Machine load while it ran: {load} (other work shares this machine; a load above the core count "
              "during a run makes its figures slower for every tool alike).")
        print()
    print(f"Median wall seconds over {runs} runs, then client CPU seconds (user+sys) and peak RSS MB; "
          "`!` marks a run whose output check failed (see the CSV). spotsh's three cold rows are explained under "
          "\"How to read this\": `cold` is process-cold (a new JVM, timed from outside); the two "
          "\"in a running JVM\" rows time the fan-out on new connections inside a JVM that is already up, as the "
          "shell's is when `nodes.run` first connects.")
    by_key = {(int(r["n"]), r["tool"], r["command"], r["mode"]): r for r in rows}
    for n in sizes:
        print()
        print(f"## N = {n}")
        print()
        print("| command | mode | " + " | ".join(TOOL_NAMES[t] for t in tools) + " |")
        print("|---|---|" + "---:|" * len(tools))
        figure_rows(by_key, n, tools, MODES)
        server_side(by_key, n, tools, cores, meter)
        crypto_pieces(by_key, n, rows)
    goals(by_key, max(sizes))
    node_floor(by_key, max(sizes), cores)


def figure_rows(by_key, n, tools, modes):
    """One table row per mode and command measured: each tool's median wall s (client CPU s, peak RSS MB), `!` when
    its output check failed, `—` when it was not measured."""
    for mode in modes:
        for command in COMMANDS:
            cells = []
            for t in tools:
                r = by_key.get((n, t, command, mode))
                if r is None:
                    cells.append("")
                    continue
                mark = "" if r["check"] == "ok" else " !"
                cells.append(f"{float(r['wall_median_s']):.2f} s ({float(r['cpu_median_s']):.2f} s CPU, "
                             f"{float(r['rss_max_mb']):.0f} MB){mark}")
            if any(cells):
                print(f"| {COMMANDS[command]} | {MODES[mode]} | " + " | ".join(c or "—" for c in cells) + " |")


def server_side(by_key, n, tools, cores, meter):
    """The sshd side's CPU per cold run: no client can finish before the cores have done that work."""
    lines = []
    for command in COMMANDS:
        for t in tools:
            r = by_key.get((n, t, command, "cold"))
            sshd = num(r.get("sshd_cpu_median_s")) if r else None
            if sshd is None:
                continue
            client = float(r["cpu_median_s"])
            lines.append(f"| {COMMANDS[command]} | {TOOL_NAMES[t]} | {sshd:.2f} | {1000 * sshd / n:.1f} | "
                         f"{sshd / cores:.2f} | {(sshd + client) / cores:.2f} | {float(r['wall_median_s']):.2f} |")
    if not lines:
        return
    print()
    how = ("perf's task-clock of the listeners and everything they fork" if meter == "perf" else
           "/proc's accounting of the listeners and the children they reaped: a lower bound, it misses session "
           "children whose parent exited first")
    print(f"sshd side of the cold runs at N = {n} (the per-connection sshds, the shells and the commands they ran; "
          f"{how}): the server's work alone needs `sshd CPU / {cores} cores` of wall time, and server plus client "
          "`(sshd + client CPU) / cores`, if both kept every core busy.")
    print()
    print("| command | client | sshd CPU s | sshd ms per connection | floor: sshd / cores s | (sshd + client) / cores s | measured wall s |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for line in lines:
        print(line)


CRYPTO_PIECES = ("kex: curve25519-sha256 on BouncyCastle's X25519 called as a library (Curve25519Kex); "
                 "ed25519: ssh-ed25519 signatures and key files on BouncyCastle's Ed25519 (Ed25519Keys); "
                 "gcm: AES-GCM on the JDK's provider (JdkAesGcm)")


def crypto_pieces(by_key, n, rows):
    """spotsh once per crypto setting of the run (tool spotsh:crypto=SETTING; plain spotsh is "all")."""
    variants = list(dict.fromkeys(r["tool"] for r in rows if r["tool"].startswith("spotsh:crypto=")))
    if not variants:
        return
    columns = (["spotsh"] if any(t == "spotsh" for (_, t, _, _) in by_key) else []) + variants
    labels = ["all" if t == "spotsh" else t.split("=", 1)[1] for t in columns]
    print()
    print(f"### crypto pieces on/off, N = {n}")
    print()
    print("spotsh with its own SSH crypto pieces on (`all`, the default), off (`none`: SSHJ 0.40.0's own "
          "algorithms only) or one turned off (`-kex`: all but kex), as `SPOTSH_SSH_CRYPTO` sets them in the "
          f"product. Pieces: {CRYPTO_PIECES}. Median wall seconds (client CPU seconds, peak RSS MB); `!` marks a "
          "failed output check.")
    print()
    print("| command | mode | " + " | ".join(f"`{label}`" for label in labels) + " |")
    print("|---|---|" + "---:|" * len(columns))
    figure_rows(by_key, n, columns, ["cold", "warm"])


def goals(by_key, n):
    print()
    print(f"## Goals at N = {n}")
    print()
    print("Each spotsh cold figure is compared with the fastest peer's cold run (process-cold, as every OpenSSH "
          "tool starts its processes per run); the column \"spotsh figure\" says which figure a row uses.")
    print()
    print("| command | spotsh figure | fastest peer | peer wall s | peer CPU s | spotsh wall s | spotsh CPU s | wall ratio | CPU ratio | goal | met |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---|---|")
    rss = []
    summary = {}
    for mode in list(COLD_FIGURES) + ["warm"]:
        peer_mode = "warm" if mode == "warm" else "cold"
        for command in COMMANDS:
            peers = [by_key[(n, p, command, peer_mode)] for p in PEERS if (n, p, command, peer_mode) in by_key]
            mine = by_key.get((n, "spotsh", command, mode))
            if not peers or mine is None:
                continue
            if mode == "warm":
                rss.append(num(mine["rss_max_mb"]))
            best = min(peers, key=lambda r: float(r["wall_median_s"]))
            wall = float(mine["wall_median_s"]) / float(best["wall_median_s"])
            cpu = float(mine["cpu_median_s"]) / max(float(best["cpu_median_s"]), 1e-9)
            if mode == "warm":
                goal, met = "wall ≤ 0.2×", wall <= 0.2
                figure = "warm (connections open)"
            else:
                goal, met = "wall ≤ 0.8×, CPU ≤ 0.25×", wall <= 0.8 and cpu <= 0.25
                figure = COLD_FIGURES[mode]
            summary.setdefault(mode, []).append(met)
            print(f"| {COMMANDS[command]} | {figure} | {TOOL_NAMES[best['tool']]} | {float(best['wall_median_s']):.2f} | "
                  f"{float(best['cpu_median_s']):.2f} | {float(mine['wall_median_s']):.2f} | {float(mine['cpu_median_s']):.2f} | "
                  f"{wall:.2f} | {cpu:.2f} | {goal} | {'yes' if met else '**no**'} |")
    print()
    for mode, mets in summary.items():
        label = "warm" if mode == "warm" else COLD_FIGURES[mode]
        print(f"- {label}: goal met for {sum(mets)} of {len(mets)} commands.")
    if rss:
        peak = max(r for r in rss if r is not None)
        print(f"- Peak RSS of the spotsh harness JVM with all {n} connections open (warm runs): {peak:.0f} MB "
              f"(goal ≤ 400 MB: {'met' if peak <= 400 else '**missed**'}).")


def node_floor(by_key, n, cores):
    """The warm commands on the node side alone (node_floor.py): what no client can beat on these cores."""
    lines = []
    for command in COMMANDS:
        floor = by_key.get((n, "node-floor", command, "warm"))
        peers = [by_key[(n, p, command, "warm")] for p in PEERS if (n, p, command, "warm") in by_key]
        mine = by_key.get((n, "spotsh", command, "warm"))
        if floor is None:
            continue
        f = float(floor["wall_median_s"])
        node = num(floor.get("sshd_cpu_median_s"))
        best = min((float(r["wall_median_s"]) for r in peers), default=None)
        cells = [COMMANDS[command], f"{f:.2f}" + ("" if floor["check"] == "ok" else " !"),
                 f"{node:.2f}" if node is not None else "—",
                 f"{float(mine['wall_median_s']):.2f}" if mine else "—",
                 f"{float(mine['wall_median_s']) - f:+.2f}" if mine else "—",
                 f"{best:.2f}" if best else "—", f"{f / best:.2f}" if best else "—",
                 ("yes" if f / best <= 0.2 else "**no**") if best else "—"]
        lines.append("| " + " | ".join(cells) + " |")
    if not lines:
        return
    print()
    print(f"## The node side alone at N = {n}")
    print()
    print(f"The warm commands on {n} login shells of the same user, fed exactly as spotsh's resident shells are, "
          "through pipes from one process: no SSH, no connection, a client that only writes and drains "
          f"(scripts/bench/node_floor.py). Nodes and client share the {cores} cores, so this is the least wall time "
          "any client could take here. \"node CPU\" is every core's busy time over a run less the feeder's. "
          "When the floor is already above 0.2× the fastest warm peer, the warm goal cannot be met on this machine "
          "by any client.")
    print()
    print("| command | floor wall s | node CPU s | spotsh warm wall s | spotsh − floor s | fastest warm peer wall s | "
          "floor / peer | 0.2× reachable |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for line in lines:
        print(line)


NOTES = """
## How to read this

- Every tool talks to the same sshd processes; on loopback those sshds (a fork, a re-exec and a key exchange
  per connection, a fork and exec per command) share the 2 cores with the client. The sshd tables above are that
  server work, about 15 ms of CPU per connection whichever client connects: at N = 300 it alone fills both cores
  for 2.2 to 2.4 s, the floor under every cold figure here (xargs's 3.8 s is that floor plus its own 2.5 s of
  client CPU spread over the 2 cores). A command in a new session on an open connection costs the sshd side
  about 1.8 ms of CPU for `true` (perf stat on the sshds over 20 warm runs of 300 commands in sessions: 0.54 s
  per run), so 300 commands in sessions cannot end before about 0.27 s on 2 cores whatever the client does (the
  row "warm, a session per command"; ControlPersist pays the same). spotsh's default sends a connection's
  commands after its first to one resident shell per node, which forks once per command (the command replaces
  the subshell, as under `sh -c`; before, an `eval` inside the subshell forked a second time: `sh -s` fed 3000
  `/bin/true` locally, 0.61 against 0.73 ms of CPU per command) instead of sshd setting up a session: that is
  the `warm` row, and what the warm goal is judged on. The table "node side alone" shows what those shells and
  commands cost without any SSH.
- spotsh's cold figures:
  - `cold` (process-cold) includes starting the JVM, the engine's set-up, JIT compilation of the SSH code while
    it runs, and closing the connections at exit: what `spotsh -f plan` costs when the plan's first step is a
    fan-out. The harness (a test class) runs on the shaded product jar with a class-data archive trained as
    scripts/spotsh trains its own (a Groovy one-liner: nothing of the fan-out is pre-loaded). Running from Maven's classpath
    instead costs about 0.25 s more CPU per start: BouncyCastle's jar is signed, and the JVM verifies it.
  - `cold, in a running JVM` rows are connection-cold but process-warm: the shell's JVM is already up (it
    launched and awaited the cluster) when `nodes.run` first opens connections. Each run is a new JVM; the
    figure is the fan-out alone (N new connections and the command), its wall time and the process's CPU
    over just that fan-out. "JIT cold": nothing ran before it. "JIT warmed elsewhere": the JIT first saw 6
    rounds of connect, run and disconnect to 50 endpoints that are not among the N measured (300 handshakes,
    as many as one such fan-out). The JIT keeps compiling for a few thousand handshakes more, so a last row,
    "JIT steady", runs in one JVM whose JIT first saw 1500 handshakes (30 rounds to those 50 other endpoints)
    and then times every run on new connections to the N measured: the engine's own cost per new connection
    in a shell that has been in use, without the JVM's one-time costs (class loading, JIT compilation of the
    SSH code, BouncyCastle's tables). The difference between the rows is that one-time cost.
- spotsh's warm figures are the fan-out alone inside one JVM whose connections (and, for `warm`, resident
  shells: two untimed commands first) are open, as in the shell. Its
  RSS column is the whole JVM (for the in-JVM cold rows it includes the warm-up). The OpenSSH tools' warm CPU
  adds the ControlPersist masters' CPU to the client's: the masters do the crypto.
- `!` on xargs with 1 MiB of output is xargs's own behaviour: 64 ssh processes write to one stdout and lines
  from different nodes get cut into each other; it also aborts on the first node that exits with 255. The goals
  table still takes it as the fastest peer for that command.
- Every tool's output goes to one file in memory (/dev/shm), then is checked. The file is filled with zeros as
  large as the step's output before the step (untimed) and the tools write over it from its start. This machine
  is a VM whose host backs guest memory when the guest first touches it: writing 300 MiB into memory the guest
  had not used for a while cost about 1 s of system CPU against 0.1 s into memory already backed (dd, past the
  first 1.5 GB), and it landed on whichever tool wrote the most at the time: spotsh's warm runs, five in one
  file, went 3.6 to 5.0 s run after run while the same runs over a filled file took 2.8 to 3.2 s. Earlier
  reports (before 2026-11-29 05:00Z) wrote a fresh file and their 1 MiB figures carry that cost.
- The harness prints nodes' lines through the product's printer as `scripts/spotsh` does when its stdout is a
  file or pipe: in 64 KiB blocks, each line out within 100 ms (a flush per line, as in a terminal, costs about
  0.2 s more CPU per 300 MiB: FanoutBench `--line-by-line`, warm, N = 300, 1.06 against 0.85 s median over two
  alternating rounds of 5 runs). Lines go from the decrypted packet to the file as bytes, the node's prefix
  encoded once: until 2026-11-29 each line became a string and was encoded again, and a warm 1 MiB run at
  N = 300 took 1.6 s of client CPU against 0.8 to 1.1 s now (same machine, same filled output file).
- With fan-out 64, the OpenSSH tools run `sleep 2` on 300 nodes in five waves; spotsh holds every connection at
  once and limits only handshakes in flight.
- What the client does per handshake now: X25519 and Ed25519 on BouncyCastle's arithmetic called directly (not
  through the JCA, whose look-ups in SSHJ go through one global lock and register the BouncyCastle provider, and
  not the JDK 17's own EdDSA, several times slower), SHA-256 and AES-GCM from the JDK, no cipher probing at
  start-up, the cluster key parsed without the JCA, plain sockets without the proxy selector, handshake permits
  waited for without polling (sending the signed public-key request at once was measured and removed: no gain). On open connections the channel-open, exec and EOF go out without waiting for
  answers in between. A channel's output goes from the decrypted packet to its listener, not through SSHJ's
  per-stream buffers (which grew to the largest packet for every channel). Earlier: AES-GCM on the JDK provider,
  output pushed from SSHJ's reader thread, one keepalive thread, serial GC with a small young generation, capped
  NIO buffer caches.
- The harness JVM runs with `scripts/jvm.options`, the options scripts/spotsh starts spotsh with (serial
  collector, 24 MB young generation, an old generation that grows only with what is live). A spot check with
  the JVM's defaults instead (G1, heap up to a quarter of the 24 GiB), N = 300, 5 runs each, machine loaded
  by other work: process-cold `true` 1.96 s CPU against 1.85 s, peak RSS 360 MB with `true` warm and 1.28 GB
  with 1 MiB warm against 277 MB and 369 MB.
- Previous report (same machine, 03:21Z, engine before these changes, harness on Maven's classpath): process-cold
  `true` at N = 300 took 4.98 s wall and 2.59 s CPU against xargs's 3.84 s and 2.46 s; warm `true` 0.47 s.
- Tried and left: C1-only compilation (`-XX:TieredStopAtLevel=1`) cuts a process-cold `true` from about 1.8 to
  1.15 s CPU but multiplies the CPU of the warm 1 MiB run by about eight (6.3 s against 0.7–0.8 s: the JDK's
  AES-GCM and GHASH intrinsics exist only in C2-compiled code); compiler directives that keep C2 for the JDK's
  and BouncyCastle's code only (`c2: { Exclude: true }` for the rest) saved nothing measurable (1.5–1.6 s);
  delaying C1 or C2 (higher Tier3/Tier4 thresholds) saved under 0.1 s; a class-data archive trained on a real
  fan-out (every SSH class pre-loaded, where scripts/spotsh's holds only what a Groovy one-liner loads) saved
  about 0.06 s; JDK 25 with an AOT cache (JEP 483/515) trained on a fan-out: 1.4–1.9 s, no better; fewer or
  more handshakes in flight (16 to 128) changed nothing measurable; closing connections in parallel or by
  shutdown instead of close changed nothing (at exit the 300 sshds tearing down keep both cores busy for about
  0.4 s whoever closes).
- Where a process-cold run's client CPU goes (async-profiler, CPU samples, N = 300, `true`, C1-only to keep the
  compiler's share small): compilation 23 %, class loading and linking 12 %, crypto 14 % (X25519, Ed25519,
  SHA-2, AES-GCM), young collections 9 %, socket reads and writes 11 %, threads parking, waking and being
  scheduled about 10 %, and the rest spread thin over SSHJ's packet handling, none above 1 %.
- What remains per process-cold run is the JVM's start, about 0.5 s of JIT compiler CPU, interpreted and C1 code
  for the first connections, and closing 300 connections at exit (about 0.2 s CPU): a JVM cannot reach 0.25× of
  an `ssh` process's CPU from a cold start. Of a JIT-warmed in-JVM run's 0.8 s, about 0.3 s is still the JIT,
  0.5 s the SSHJ reader and worker threads (a thread of each per connection; SSHJ's design).
"""


if __name__ == "__main__":
    main(*sys.argv[1:7])
    print(NOTES)
