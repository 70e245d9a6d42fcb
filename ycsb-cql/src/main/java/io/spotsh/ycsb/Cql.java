package io.spotsh.ycsb;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;

import java.util.Properties;

/**
 * Runs CQL statements against a cluster with the same driver the YCSB binding uses, so a schema is created the
 * same way on EC2 and on local nodes (no cqlsh, no Python).
 *
 * <pre>java -cp 'lib/*' io.spotsh.ycsb.Cql HOST[,HOST...] 'CREATE KEYSPACE ...; CREATE TABLE ...'</pre>
 *
 * Statements are split at {@code ;} (no string literal may hold one); rows a statement returns are printed, one
 * per line, columns separated by tabs. Exit status 0 when every statement ran, 1 on the first failure (its
 * message on stderr; a statement after which the nodes do not agree on the schema within 30 s fails too), 2 on wrong arguments. The {@link Sessions} properties come from system properties
 * ({@code -Dport=9043}).
 */
public final class Cql {
    private Cql() {
    }

    public static void main(String[] args) {
        if (args.length != 2 || args[0].isBlank()) {
            System.err.println("usage: io.spotsh.ycsb.Cql HOST[,HOST...] 'STATEMENT; STATEMENT...'");
            System.exit(2);
        }
        Properties p = new Properties();
        p.putAll(System.getProperties());
        p.setProperty(Sessions.HOSTS, args[0]);
        int status = 0;
        try (CqlSession session = Sessions.open(p, null)) {
            for (String statement : args[1].split(";")) {
                if (statement.isBlank()) {
                    continue;
                }
                ResultSet rs = session.execute(statement.strip());
                for (Row row : rs) {
                    StringBuilder line = new StringBuilder();
                    for (int i = 0; i < row.size(); i++) {
                        line.append(i == 0 ? "" : "\t").append(row.getObject(i));
                    }
                    System.out.println(line);
                }
                if (!rs.getExecutionInfo().isSchemaInAgreement()) {
                    // the next statement (or YCSB) could meet a node that lacks this change: fail, the caller retries
                    throw new IllegalStateException("the nodes did not agree on the schema within 30 s after: " + statement.strip());
                }
            }
        } catch (RuntimeException e) {
            System.err.println("cql: " + e.getMessage());
            status = 1;
        }
        System.exit(status);
    }
}
