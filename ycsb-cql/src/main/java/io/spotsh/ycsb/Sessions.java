package io.spotsh.ycsb;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.ProgrammaticDriverConfigLoaderBuilder;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * A driver session from YCSB-style properties, shared by {@link CqlClient} and {@link Cql}.
 *
 * <ul>
 * <li>{@code hosts} (required): contact points, comma-separated; {@code port} default 9042.</li>
 * <li>{@code cassandra.localdatacenter}: the driver's local datacenter. Unset, the driver infers it from the
 *     contact points ({@code DcInferringLoadBalancingPolicy}), so SimpleSnitch's {@code datacenter1} and
 *     Ec2Snitch's region name both work without saying.</li>
 * <li>{@code cassandra.username}, {@code cassandra.password}: plain-text authentication when a username is given.</li>
 * <li>{@code cassandra.connecttimeoutmillis} (default 5000), {@code cassandra.readtimeoutmillis} (default 12000,
 *     above the server's own read and write timeouts, so a slow node answers with its timeout first).</li>
 * </ul>
 */
final class Sessions {
    static final String HOSTS = "hosts";
    static final String PORT = "port";
    static final String LOCAL_DC = "cassandra.localdatacenter";
    static final String USERNAME = "cassandra.username";
    static final String PASSWORD = "cassandra.password";
    static final String CONNECT_TIMEOUT = "cassandra.connecttimeoutmillis";
    static final String READ_TIMEOUT = "cassandra.readtimeoutmillis";

    private Sessions() {
    }

    static CqlSession open(Properties p, String keyspace) {
        String hosts = p.getProperty(HOSTS);
        if (hosts == null || hosts.isBlank()) {
            throw new IllegalArgumentException("property " + HOSTS + " is required: the Cassandra nodes' addresses, comma-separated");
        }
        int port = number(p, PORT, 9042);
        List<InetSocketAddress> points = new ArrayList<>();
        for (String host : hosts.split(",")) {
            if (!host.isBlank()) {
                points.add(new InetSocketAddress(host.strip(), port));
            }
        }
        ProgrammaticDriverConfigLoaderBuilder config = DriverConfigLoader.programmaticBuilder()
                .withDuration(DefaultDriverOption.CONNECTION_CONNECT_TIMEOUT, Duration.ofMillis(number(p, CONNECT_TIMEOUT, 5000)))
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofMillis(number(p, READ_TIMEOUT, 12000)))
                // DDL waits for every node to agree on the schema before the next statement
                .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, Duration.ofSeconds(30));
        String dc = p.getProperty(LOCAL_DC);
        if (dc == null || dc.isBlank()) {
            config.withString(DefaultDriverOption.LOAD_BALANCING_POLICY_CLASS, "DcInferringLoadBalancingPolicy");
        }
        CqlSessionBuilder builder = CqlSession.builder().addContactPoints(points).withConfigLoader(config.build());
        if (dc != null && !dc.isBlank()) {
            builder.withLocalDatacenter(dc.strip());
        }
        String user = p.getProperty(USERNAME);
        if (user != null && !user.isEmpty()) {
            builder.withAuthCredentials(user, p.getProperty(PASSWORD, ""));
        }
        if (keyspace != null) {
            builder.withKeyspace(keyspace);
        }
        return builder.build();
    }

    private static int number(Properties p, String name, int dflt) {
        String v = p.getProperty(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("property " + name + " must be a whole number, was '" + v + "'");
        }
    }
}
