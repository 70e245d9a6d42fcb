// A real distributed test on this machine: a Redis Cluster of 6 masters on local "spot instances" (each a sandbox
// with its own SSH server and loopback address, booted from the same userdata an EC2 node gets), loaded by
// redis-benchmark from 2 client nodes at the same moment, sanity-checked, measured, collected and torn down.
//   scripts/spotsh -f scripts/plans/redis-local.groovy [test-name [results-folder]]
// It needs redis-server, redis-tools and sysstat on this machine; spotsh names what is missing and installs nothing.
def name = args ? args[0] : "redis-" + LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern('yyyyMMdd-HHmmss'))
cluster.resultsDir = args.size() > 1 ? args[1] : 'results'    // also where a failing run's results go

cluster.launch(name: name, type: 'redis', dataNodes: 6, clientNodes: 2, ttl: '30m')
cluster.await(timeout: '5m', every: '5s')
println cluster.status()

cluster.configure()     // every node booted, then redis-cli --cluster create over the 6 data nodes
cluster.check()         // CLUSTER INFO on every data node: cluster_state:ok and 6 known nodes; a plan stops here if not
cluster.workloads()     // load (SET) then read (GET): both clients at once, sysstat marks around each phase

def results = cluster.collect()     // results/<test>/<run>/<role>-<n>/, summary.csv, <run>.tar.gz
println results
log "summary.csv: ${results.summaryCsv}"

println cluster.cost()
cluster.terminate()     // waits until every instance is terminated and says how many are left
