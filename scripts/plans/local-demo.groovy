// A spot cluster on this machine, start to finish: the local provider boots each instance from the same
// userdata an EC2 node gets, the nodes phone home into the embedded registry, and every step below is
// what a real test does.
//   scripts/spotsh -f scripts/plans/local-demo.groovy [test-name [results-folder]]
def name = args ? args[0] : "demo-" + LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern('yyyyMMdd-HHmmss'))

cluster.launch(name: name, dataNodes: 4, clientNodes: 1, slowBoot: '1s..4s', ttl: '30m')
cluster.await(timeout: '5m', every: '2s')
println cluster.status()
println nodes

phase('hello') {
    // every node at once; output streams live, prefixed with the node's name
    def hello = nodes.run('echo "$(hostname) is node $(cat "$SPOTSH_ROOT/etc/spotsh/node-number") in $(cat "$SPOTSH_ROOT/etc/spotsh/env" | grep -c =) settings"')
    assert hello.failed.isEmpty() : "hello failed on ${hello.failed*.name}"

    def workload = File.createTempFile('workload', '.properties')
    workload.text = "recordcount=10000\noperationcount=50000\n"
    nodes.put(workload, 'workload.properties')
    nodes.run('wc -c < workload.properties > result.txt; date -u +%FT%TZ >> result.txt', check: true, quiet: true)
}

def results = new File(args.size() > 1 ? args[1] : "results/${name}")
def got = nodes.get("result.txt", results)
println got
assert got.ok.size() == nodes.size()
log "Results of ${got.ok.size()} nodes in ${results}: " + results.list().sort().join(', ')

println cluster.cost()
cluster.terminate()
