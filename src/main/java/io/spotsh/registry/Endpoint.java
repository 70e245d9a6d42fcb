package io.spotsh.registry;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * How to reach a registry database: where, as whom and (kept out of {@link #toString()}) with
 * which password.
 */
public final class Endpoint {
    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)(password=)[^&]*");
    private static final Pattern USERINFO_PASSWORD = Pattern.compile("(//[^/:@]*:)[^/@]*@");

    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private final String password;
    private final String jdbcUrl;

    Endpoint(String host, int port, String database, String user, String password, String jdbcUrl) {
        this.host = host;
        this.port = port;
        this.database = database;
        this.user = user;
        this.password = password;
        this.jdbcUrl = jdbcUrl;
    }

    /** An embedded server on this machine. */
    static Endpoint local(String host, int port, String database, String user, String password) {
        String url = "jdbc:postgresql://" + hostForUrl(host) + ":" + port + "/" + database;
        return new Endpoint(host, port, database, user, password, url);
    }

    /**
     * An external server from its JDBC URL; the password comes from the URL or else from
     * {@code PGPASSWORD}, the user from the URL or else the login name.
     */
    static Endpoint fromJdbcUrl(String url, String pgPassword) {
        String rest = url.substring("jdbc:postgresql://".length());
        int query = rest.indexOf('?');
        String params = query < 0 ? "" : rest.substring(query + 1);
        String hostsAndDb = query < 0 ? rest : rest.substring(0, query);
        int slash = hostsAndDb.indexOf('/');
        String hosts = slash < 0 ? hostsAndDb : hostsAndDb.substring(0, slash);
        String firstHost = hosts.split(",")[0];
        String host = firstHost;
        int port = 5432;
        int colon = firstHost.lastIndexOf(':');
        if (colon > 0 && firstHost.indexOf(']') < colon) {
            host = firstHost.substring(0, colon);
            port = Integer.parseInt(firstHost.substring(colon + 1));
        }
        host = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        String user = param(params, "user");
        String password = param(params, "password");
        if (user == null) {
            user = System.getProperty("user.name");
        }
        String database = slash < 0 || slash == hostsAndDb.length() - 1 ? user : hostsAndDb.substring(slash + 1);
        return new Endpoint(host, port, database, user, password != null ? password : pgPassword, url);
    }

    /** The decoded value of a {@code name=value} pair of a URL's query, the name in any case; null if absent. */
    static String param(String query, String name) {
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equalsIgnoreCase(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    static String hostForUrl(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    /** Replaces any password in a JDBC or libpq URL by {@code ***}. */
    public static String maskPassword(String url) {
        String masked = PASSWORD_PARAM.matcher(url).replaceAll("$1***");
        return USERINFO_PASSWORD.matcher(masked).replaceAll("$1***@");
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String database() {
        return database;
    }

    public String user() {
        return user;
    }

    String password() {
        return password;
    }

    String jdbcUrl() {
        return jdbcUrl;
    }

    /** Driver properties: the user and password unless the URL names them, and a short connect timeout. */
    Properties connectionProperties() {
        Properties props = new Properties();
        if (param(queryOf(jdbcUrl), "user") == null) {
            props.setProperty("user", user);
        }
        if (password != null && param(queryOf(jdbcUrl), "password") == null) {
            props.setProperty("password", password);
        }
        props.setProperty("ApplicationName", "spotsh");
        props.setProperty("connectTimeout", "10");
        return props;
    }

    private static String queryOf(String url) {
        int q = url.indexOf('?');
        return q < 0 ? "" : url.substring(q + 1);
    }

    /** {@code host:port/database}, for messages. */
    @Override
    public String toString() {
        return hostForUrl(host) + ":" + port + "/" + database;
    }
}
