#!/usr/bin/env python3
"""The node side alone, for scripts/bench/fanout.sh: what N warm nodes cost this machine with no SSH and no client
to speak of, so the warm figures have a floor to be read against.

Starts N login shells (`/bin/sh -s`, as the benchmark's login user when run as root), each on its own pipes, and
feeds them commands exactly as spotsh's resident shell does (`command eval '( CMD\n) &' </dev/null && wait "$!"`,
then an exit-status marker on stdout and an end marker on stderr). One process writes every command, then drains
every pipe with one poll loop (counting bytes, keeping nothing) until each shell's two markers arrived. That is the
least any client does: no connection, no crypto, no threads. What remains is the nodes' own work (the shells'
forks, the commands, their exits, the pipes) on the same cores every client shares with its nodes.

After one untimed run, each of RUNS runs prints `run I: wall_ms=W cpu_ms=C node_cpu_ms=S ok=N` on stderr: the
feeder's own CPU, and the node side's: every core's busy time over the run (/proc/stat) less the feeder's (the
shells' own per-process counters miss commands shorter than a clock tick). Every node's stdout is checked to be EXPECT_BYTES bytes each run; a mismatch ends with exit status 1.

Usage: node_floor.py N RUNS COMMAND EXPECT_BYTES [USER]"""
import os
import pwd
import select
import subprocess
import sys
import time

MARK = b"\x1fspotsh-floor "


def busy_seconds(tck):
    """Busy time of all cores since boot: user, nice, system, irq, softirq, steal."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:9]]
    return (sum(fields[0:3]) + sum(fields[5:8])) / tck


def start(n, user):
    kwargs = {}
    if user and os.geteuid() == 0:
        entry = pwd.getpwnam(user)
        kwargs = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": [], "cwd": entry.pw_dir,
                  "env": {"HOME": entry.pw_dir, "USER": user, "LOGNAME": user, "SHELL": "/bin/sh",
                          "PATH": "/usr/local/bin:/usr/bin:/bin"}}
    return [subprocess.Popen(["/bin/sh", "-s"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, bufsize=0, **kwargs) for _ in range(n)]


def one_run(shells, line):
    """Sends the command to every shell, drains every pipe; returns each node's stdout byte count."""
    poller = select.poll()
    owner = {}
    counts = {}
    pending = {}  # fd -> tail of the stream (a marker may span two reads)
    left = 0
    for i, p in enumerate(shells):
        for stream in (p.stdout, p.stderr):
            fd = stream.fileno()
            owner[fd] = (i, stream is p.stdout)
            pending[fd] = b""
            poller.register(fd, select.POLLIN)
            left += 1
        counts[i] = 0
    for p in shells:
        os.write(p.stdin.fileno(), line)
    while left:
        for fd, _ in poller.poll():
            data = os.read(fd, 65536)
            i, is_out = owner[fd]
            if not data:
                raise SystemExit(f"node {i + 1}: its shell ended")
            buf = pending[fd] + data
            at = buf.find(MARK)
            if at < 0:
                keep = len(MARK) + 8
                if is_out:
                    counts[i] += max(0, len(buf) - keep)
                pending[fd] = buf[-keep:] if len(buf) > keep else buf
                continue
            if is_out:
                counts[i] += at
            poller.unregister(fd)
            left -= 1
    return counts


def main():
    n, runs, command, expect = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    user = sys.argv[5] if len(sys.argv) > 5 else None
    tck = os.sysconf("SC_CLK_TCK")
    shells = start(n, user)
    quoted = "'" + ("( " + command + "\n) &").replace("'", "'\\''") + "'"
    line = (f"command eval {quoted} </dev/null && wait \"$!\"; printf '\\037spotsh-floor S%s\\n' \"$?\"; "
            f"printf '\\037spotsh-floor E\\n' >&2\n").encode()
    ok = True
    one_run(shells, line)  # untimed: the shells are up and every page the command needs is in memory
    for run in range(1, runs + 1):
        busy_before = busy_seconds(tck)
        cpu_before = time.process_time()
        t0 = time.perf_counter()
        counts = one_run(shells, line)
        wall = time.perf_counter() - t0
        cpu = time.process_time() - cpu_before
        node = max(0.0, busy_seconds(tck) - busy_before - cpu)
        wrong = [i + 1 for i, c in counts.items() if c != expect]
        ok &= not wrong
        print(f"run {run}: wall_ms={wall * 1000:.1f} cpu_ms={cpu * 1000:.1f} node_cpu_ms={node * 1000:.0f} "
              f"ok={n - len(wrong)}" + (f" wrong_output_nodes={wrong[:10]}" if wrong else ""), file=sys.stderr)
    for p in shells:
        p.stdin.close()
    for p in shells:
        p.wait()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
