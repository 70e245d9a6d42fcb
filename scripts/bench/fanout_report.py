#!/usr/bin/env python3
"""Turns scripts/bench/results/fanout.csv into the markdown report: one table per node count, then the goals of
issue 4 at the largest count (cold wall <= 0.8x the fastest peer with client CPU <= 0.25x that peer's; warm wall
<= 0.2x the fastest warm peer; peak RSS with all connections open <= 400 MB), each marked met or missed."""
import csv
import sys

PEERS = ["xargs", "pdsh", "clush"]
TOOL_NAMES = {"xargs": "xargs -P 64 ssh", "pdsh": "pdsh -R ssh -f 64", "clush": "clush -f 64", "spotsh": "spotsh"}
COMMANDS = {"true": "`true`", "uname": "`uname -a`", "1mib": "1 MiB output", "sleep2": "`sleep 2`"}


def num(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def main(path, cores, java, openssh):
    rows = [r for r in csv.DictReader(open(path)) if not r["mode"].startswith("failure")]
    if not rows:
        return
    sizes = sorted({int(r["n"]) for r in rows})
    tools = [t for t in ["xargs", "pdsh", "clush", "spotsh"] if any(r["tool"] == t for r in rows)]
    runs = rows[0]["runs"]
    print(f"# Fan-out: spotsh vs xargs/pdsh/clush ({rows[0]['date']}; {cores} cores; {java}; {openssh})")
    print()
    print(f"Median wall seconds over {runs} runs, then client CPU seconds (user+sys) and peak RSS MB; "
          "`!` marks a run whose output check failed (see the CSV).")
    by_key = {(int(r["n"]), r["tool"], r["command"], r["mode"]): r for r in rows}
    for n in sizes:
        print()
        print(f"## N = {n}")
        print()
        print("| command | mode | " + " | ".join(TOOL_NAMES[t] for t in tools) + " |")
        print("|---|---|" + "---:|" * len(tools))
        for mode in ["cold", "warm"]:
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
                    print(f"| {COMMANDS[command]} | {mode} | " + " | ".join(cells) + " |")
    goals(by_key, max(sizes))


def goals(by_key, n):
    print()
    print(f"## Goals at N = {n}")
    print()
    print("| command | mode | fastest peer | peer wall s | peer CPU s | spotsh wall s | spotsh CPU s | wall ratio | CPU ratio | goal | met |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---|---|")
    rss = []
    for mode in ["cold", "warm"]:
        for command in COMMANDS:
            peers = [by_key[(n, p, command, mode)] for p in PEERS if (n, p, command, mode) in by_key]
            mine = by_key.get((n, "spotsh", command, mode))
            if not peers or mine is None:
                continue
            if mode == "warm":
                rss.append(num(mine["rss_max_mb"]))
            best = min(peers, key=lambda r: float(r["wall_median_s"]))
            wall = float(mine["wall_median_s"]) / float(best["wall_median_s"])
            cpu = float(mine["cpu_median_s"]) / max(float(best["cpu_median_s"]), 1e-9)
            if mode == "cold":
                goal, met = "wall ≤ 0.8×, CPU ≤ 0.25×", wall <= 0.8 and cpu <= 0.25
            else:
                goal, met = "wall ≤ 0.2×", wall <= 0.2
            print(f"| {COMMANDS[command]} | {mode} | {TOOL_NAMES[best['tool']]} | {float(best['wall_median_s']):.2f} | "
                  f"{float(best['cpu_median_s']):.2f} | {float(mine['wall_median_s']):.2f} | {float(mine['cpu_median_s']):.2f} | "
                  f"{wall:.2f} | {cpu:.2f} | {goal} | {'yes' if met else '**no**'} |")
    if rss:
        peak = max(r for r in rss if r is not None)
        print()
        print(f"Peak RSS of the spotsh harness JVM with all {n} connections open (warm runs): {peak:.0f} MB "
              f"(goal ≤ 400 MB: {'met' if peak <= 400 else '**missed**'}).")


NOTES = """
## How to read this

- Every tool talks to the same sshd processes; on loopback those sshds (a fork, a re-exec and a key exchange
  per connection, a fork and exec per command) share the 2 cores with the client, so cold wall time is mostly
  server work and the client's CPU decides how much of the machine is left for it.
- spotsh's cold figures include starting a JVM (about 0.5 s CPU, with a class-data archive); its warm figures are
  the fan-out alone inside one JVM whose connections are open, as in the shell. Its RSS column is the whole JVM.
- The OpenSSH tools' warm CPU adds the ControlPersist masters' CPU to the client's: the masters do the crypto.
- `!` on xargs with 1 MiB of output is xargs's own behaviour: 64 ssh processes write to one stdout and lines
  from different nodes get cut into each other; it also aborts on the first node that exits with 255.
- With fan-out 64, the OpenSSH tools run `sleep 2` on 300 nodes in five waves; spotsh holds every connection at
  once and limits only handshakes in flight.
- Tried for the client's CPU: AES-GCM on the JDK provider instead of BouncyCastle (BouncyCastle's plain-Java AES
  took almost all CPU of the 1 MiB runs; the JDK's cut warm CPU there about 3x), output pushed from SSHJ's reader
  thread (no thread per stream), one keepalive thread for all connections, C1-only compilation (cheaper start-up,
  but the JDK's GCM is fast only under C2, so C2 stays on), a class-data archive, serial GC with a small young
  generation, capped NIO buffer caches. What remains per cold run is the JVM's start and the pure-Java
  X25519/Ed25519 of each handshake.
"""


if __name__ == "__main__":
    main(*sys.argv[1:5])
    print(NOTES)
