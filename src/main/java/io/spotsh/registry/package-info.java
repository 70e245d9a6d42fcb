/**
 * The PostgreSQL registry of tests and their nodes: the embedded server (started on first use; it outlives
 * spotsh so nodes can phone home and later runs see earlier tests), the schema's migrations from {@code sql/},
 * and two ways in. {@link io.spotsh.registry.Registry} is the {@code registry} object users type (tests, nodes,
 * events, runs, ad-hoc SQL) and the operator's side of registration; {@link io.spotsh.registry.TestRecords} is
 * what the workflow writes down about a test and reads back, by named methods, so the SQL stays here.
 *
 * <pre>{@code
 * Registry registry = Registry.open(RegistrySettings.embedded(stateDir));
 * registry.tests();                                  // every test: name, type, provider, state, nodes, ...
 * TestRecords records = new TestRecords(() -> registry);
 * records.event("ring-6", "ready", null, null, "8 nodes reported in");
 * records.registeredNodes("ring-6");                 // [NodeRow[role=data, number=1, ...], ...]
 * }</pre>
 */
package io.spotsh.registry;
