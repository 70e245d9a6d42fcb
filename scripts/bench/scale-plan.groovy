// The plan of scripts/bench/scale.sh: launch N generic nodes on the local cloud, wait until all registered and
// then until all answer SSH, run `true` on every node three times (quiet), terminate. Prints one machine-readable
// line per figure on stdout (SCALE key=value ...); each failed node of a run as SCALE_FAIL run=R node=... phase=...
//   scripts/spotsh --state-dir STATE -f scripts/bench/scale-plan.groovy NODES STATE
def n = args[0] as int
def state = new File(args[1])
def ms = { long t0 -> (System.nanoTime() - t0).intdiv(1000000) }
// the local cloud daemon's CPU: its own (threads: launch, SSH server) and its reaped children's (node boots)
def daemonCpu = {
    def pid = new groovy.json.JsonSlurper().parse(new File(state, 'local-cloud/daemon.json')).pid
    def f = new File("/proc/${pid}/stat").text
    def v = f.substring(f.lastIndexOf(')') + 2).split(' ')
    [own: (v[11] as long) + (v[12] as long), children: (v[13] as long) + (v[14] as long)]
}

// spotsh's own CPU (this JVM), ms
def selfCpu = {
    def f = new File('/proc/self/stat').text
    def v = f.substring(f.lastIndexOf(')') + 2).split(' ')
    ((v[11] as long) + (v[12] as long)) * 10
}
// spotsh's collections (count, pause ms) and the JIT's time compiling (ms, its own count: a compile that ends in a
// warm run competes with it for the cores)
def jvmTotals = {
    def gcs = java.lang.management.ManagementFactory.garbageCollectorMXBeans
    [count: gcs.sum { it.collectionCount }, ms: gcs.sum { it.collectionTime },
     jit: java.lang.management.ManagementFactory.compilationMXBean.totalCompilationTime]
}
def t0 = System.nanoTime()
cluster.launch(name: "scale-$n-" + System.currentTimeMillis(), dataNodes: n, clientNodes: 0, ttl: '30m')
def launchMs = ms(t0)
def cpu0 = daemonCpu()
// all registered: the registry's count, polled every 0.5 s
def registered = 0
while (true) {
    registered = cluster.status().sum { it.registered ?: 0 }
    if (registered >= n || ms(t0) > 900_000) break
    Thread.sleep(500)
}
def registeredMs = ms(t0)
def cpu1 = daemonCpu()
cluster.await(timeout: '15m', every: '5s')
def readyMs = ms(t0)
println "SCALE launch_ms=$launchMs registered_ms=$registeredMs registered=$registered ready_ms=$readyMs"
def readyCpu = daemonCpu()
def cpu2 = readyCpu
for (run in 1..3) {
    if (run == 3 && System.getenv('SCALE_STACKS')) {
        // thread dumps of spotsh and the daemon 3 s into the warm run, into that folder
        def dir = System.getenv('SCALE_STACKS')
        def dp = new groovy.json.JsonSlurper().parse(new File(state, 'local-cloud/daemon.json')).pid
        Thread.start {
            Thread.sleep(3000)
            new File(dir, 'spotsh.txt').text = ['jstack', String.valueOf(ProcessHandle.current().pid())].execute().text
            new File(dir, 'daemon.txt').text = ['jstack', String.valueOf(dp)].execute().text
            new File(dir, 'ps.txt').text = ['ps', '-eo', 'pid,stat,pcpu,comm'].execute().text
        }
    }
    def g = jvmTotals()
    def c = selfCpu()
    def t = System.nanoTime()
    def r = nodes.run('true', quiet: true)
    def wall = ms(t)
    def spotshCpu = selfCpu() - c
    def g2 = jvmTotals()
    def cpu = daemonCpu()
    println "SCALE run=$run wall_ms=$wall ok=${r.ok.size()} failed=${r.failed.size()} daemon_cpu_ticks=${cpu.own - cpu2.own} spotsh_cpu_ms=$spotshCpu spotsh_jit_ms=${g2.jit - g.jit}" +
            " spotsh_gcs=${g2.count - g.count} spotsh_gc_pause_ms=${g2.ms - g.ms}"
    cpu2 = cpu
    r.failed.each { f ->
        println "SCALE_FAIL run=$run node=${f.name} phase=${f.phase} error=" + String.valueOf(f.error).replace('\n', ' ')
    }
}
// what the nodes cost while nothing runs (their interruption watchers, sysstat collectors; the daemon answering
// them): every core's busy time over 5 s of idle, 1 s after run 3 (/proc/stat, 10 ms ticks), in cores
def busy = { def f = new File('/proc/stat').readLines()[0].split(/\s+/)[1..8].collect { it as long }; f[0] + f[1] + f[2] + f[5] + f[6] + f[7] }
Thread.sleep(1000)
def idle0 = busy()
def idleT = System.nanoTime()
Thread.sleep(5000)
println "SCALE idle_cores=" + String.format('%.2f', (busy() - idle0) * 10 / ((System.nanoTime() - idleT) / 1e6))
def cpu3 = daemonCpu()
// ticks of 10 ms (CLK_TCK 100): at the launch call's return (daemon start and launch), at all registered, at
// ready, after the three runs; children = the node boots the daemon reaped (userdata and what it waited for)
println "SCALE daemon_own_ticks=${cpu0.own},${cpu1.own},${readyCpu.own},${cpu3.own} " +
        "daemon_children_ticks=${cpu0.children},${cpu1.children},${readyCpu.children},${cpu3.children}"
// where spotsh's memory is, for reading the peak: threads, heap in use and committed, anonymous RSS now
def status = new File('/proc/self/status').readLines().collectEntries { l -> def p = l.split(/:\s+/, 2); [p[0], p.size() > 1 ? p[1] : ''] }
def rt = Runtime.getRuntime()
println "SCALE spotsh_threads=${status.Threads} heap_used_mib=${(rt.totalMemory() - rt.freeMemory()) >> 20} " +
        "heap_committed_mib=${rt.totalMemory() >> 20} rss_anon=${status.RssAnon.replace(' ', '')}"
if (System.getenv('SCALE_NMT')) {
    def self = String.valueOf(ProcessHandle.current().pid())
    println(['jcmd', self, 'VM.native_memory', 'summary'].execute().text)
    println(['jcmd', self, 'GC.class_histogram'].execute().text.readLines().take(30).join('\n'))
}
def hwm = new File('/proc/self/status').readLines().find { it.startsWith('VmHWM:') }.split(/\s+/)[1]
def dpid = new groovy.json.JsonSlurper().parse(new File(state, 'local-cloud/daemon.json')).pid
def dhwm = new File("/proc/${dpid}/status").readLines().find { it.startsWith('VmHWM:') }.split(/\s+/)[1]
println "SCALE spotsh_hwm_kb=$hwm daemon_hwm_kb=$dhwm"
// the daemon's collections so far: full GCs and their seconds (jstat -gc: FGC, FGCT), young ones
try {
    def gc = ['jstat', '-gc', String.valueOf(dpid)].execute().text.readLines()
    def g = [gc[0].trim().split(/\s+/), gc[1].trim().split(/\s+/)].transpose().collectEntries()
    println "SCALE daemon_ygc=${g.YGC} daemon_fgc=${g.FGC} daemon_fgct=${g.FGCT}"
} catch (e) {
    println "SCALE daemon_gc=unknown (${e.message})"
}
cluster.terminate()
