// A Cassandra 5.0 ring of 3 local nodes (each a sandbox on its own 127.x address, booted from the same userdata
// an EC2 node gets), loaded and run by YCSB (workload A) from 1 client node, sanity-checked, collected, torn down.
//   scripts/spotsh -f scripts/plans/cassandra-local.groovy [test-name [results-folder]]
// Cassandra 5.0.6 and YCSB 0.17.0 come from Maven Central into the state folder's tools/ (Java 17 and mvn needed).
def name = args ? args[0] : "cassandra-" + LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern('yyyyMMdd-HHmmss'))
cluster.resultsDir = args.size() > 1 ? args[1] : 'results'

cluster.launch(name: name, type: 'cassandra', dataNodes: 3, clientNodes: 1, ttl: '30m',
        params: [recordcount: 10000, operationcount: 10000, threads: 8])
cluster.await(timeout: '5m', every: '5s')
cluster.configure()     // data-1 is the seed; data-2 and data-3 join on their planned tokens; keyspace ycsb
cluster.check()         // nodetool status on every data node: 3 nodes UN, a third of the ring each
cluster.workloads()     // YCSB load, then workload A; each client keeps its HdrHistogram files
def results = cluster.collect()     // YCSB output and .hdr files, system.log, sysstat; summary.csv
log "summary.csv: ${results.summaryCsv}"
cluster.terminate()
