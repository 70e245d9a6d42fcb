package io.spotsh.node;

import io.spotsh.common.ShellQuote;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one boot script every provider sends: {@code scripts/userdata.sh.tmpl} filled in with a test's values and
 * with the node scripts ({@code phone-home.sh}, {@code discover-storage.sh}, the role's setup script) of this very
 * spotsh build, so node and spotsh versions always match. The aws provider sends the text as EC2 userdata; the
 * local cloud runs it with {@code /bin/sh}. What the script does is described in the template.
 *
 * <pre>{@code
 * UserData userData = UserData.fromClasspath();
 * String script = userData.render(new UserData.Values("cass-300", "data", test.registrationUrl().uri(),
 *         clusterKey.publicKeyLine(), Map.of("rf", "3"), Map.of(), "generic"));
 * cloud.launch(new LaunchRequest("cass-300", "data", 300, zone, type, null, script, tags, options));
 * }</pre>
 *
 * Every value reaches the script single-quoted, so quotes, spaces, {@code $(...)} and newlines arrive as written.
 * Test parameters become {@code SPOTSH_PARAM_<NAME>} (upper case, other characters as {@code _}). The result is
 * kept under {@link #MAX_BYTES} as EC2 receives it ({@link #forEc2}: gzipped when longer): comment lines and
 * blank lines are left out of the rendered text.
 */
public final class UserData {
    /** EC2's limit for userdata before base64. */
    public static final int MAX_BYTES = 16 * 1024;

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern SCRIPT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    /** A here-document operator and its delimiter word; the body is kept as written. */
    private static final Pattern HEREDOC = Pattern.compile("<<(-)?\\s*['\"]?([A-Za-z_]\\w*)['\"]?");
    /** Set by the environment or by the script itself at boot, never by the caller. */
    private static final Set<String> RESERVED = Set.of("SPOTSH_ROOT", "SPOTSH_METADATA_DIR", "SPOTSH_METADATA_URL", "SPOTSH_INSTANCE_ID",
            "SPOTSH_PRIVATE_IP", "SPOTSH_HOSTNAME", "SPOTSH_ZONE", "SPOTSH_NODE_NUMBER", "SPOTSH_HOST_KEY_FILE",
            "SPOTSH_NODE_FILE", "SPOTSH_TEST", "SPOTSH_ROLE", "SPOTSH_SETUP", "SPOTSH_REGISTRY_URL",
            "SPOTSH_CLUSTER_KEY", "SPOTSH_REGISTRY_CA");

    /** Reads a node script by name ({@code phone-home.sh}, {@code roles/generic.sh}); null when there is none. */
    @FunctionalInterface
    public interface Scripts {
        String read(String name);
    }

    /**
     * What one role of one test boots with.
     *
     * @param registrationUrl  the libpq URI nodes phone home with; it carries a password, so {@link #toString()}
     *                         never shows it
     * @param clusterPublicKey an authorized_keys line ({@link ClusterKey#publicKeyLine()})
     * @param params           the test's parameters, as {@code SPOTSH_PARAM_<NAME>}
     * @param env              more variables for the node's environment file (names like {@code SPOTSH_PHONE_HOME_TIMEOUT})
     * @param setup            which role setup script to send, usually the test type: {@code scripts/roles/<setup>-<role>.sh},
     *                         else {@code roles/<setup>.sh} (one of them must exist); null sends {@code roles/<role>.sh}
     *                         when there is one, else none (the node image may still have one)
     * @param registryCa       the CA certificate(s) nodes verify the registry's certificate with, PEM
     *                         ({@code RegistrationUrl.caCertificate()}); written to {@code etc/spotsh/registry-ca.crt}
     *                         and handed to phone-home as {@code SPOTSH_REGISTRY_CA}; null sends none
     */
    public record Values(String test, String role, String registrationUrl, String clusterPublicKey,
                         Map<String, String> params, Map<String, String> env, String setup, String registryCa) {
        public Values {
            params = params == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(params));
            env = env == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(env));
        }

        /** Values that send no registry CA. */
        public Values(String test, String role, String registrationUrl, String clusterPublicKey,
                      Map<String, String> params, Map<String, String> env, String setup) {
            this(test, role, registrationUrl, clusterPublicKey, params, env, setup, null);
        }

        @Override
        public String toString() {
            return "UserData.Values[test=" + test + ", role=" + role + ", registrationUrl=***, clusterPublicKey="
                    + clusterPublicKey + ", params=" + params + ", env=" + env.keySet() + ", setup=" + setup
                    + ", registryCa=" + (registryCa == null ? "none" : "PEM") + "]";
        }
    }

    private final Scripts scripts;
    private final String template;

    public UserData(Scripts scripts) {
        this.scripts = scripts;
        this.template = require("userdata.sh.tmpl");
    }

    /** The scripts this spotsh build carries ({@code node-scripts/} on the classpath, copied from {@code scripts/}). */
    public static UserData fromClasspath() {
        return new UserData(name -> {
            try (InputStream in = UserData.class.getClassLoader().getResourceAsStream("node-scripts/" + name)) {
                return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read node-scripts/" + name + " from the classpath", e);
            }
        });
    }

    /** The scripts of a source tree's {@code scripts/} folder (tests, development). */
    public static UserData fromDirectory(Path scriptsDir) {
        return new UserData(name -> {
            Path file = scriptsDir.resolve(name);
            try {
                return Files.isRegularFile(file) ? Files.readString(file) : null;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        });
    }

    /** The boot script for these values; throws {@link IllegalArgumentException} for a value it cannot carry. */
    public String render(Values values) {
        String setup = setupScript(values);
        Map<String, String> parts = new LinkedHashMap<>();
        parts.put("@@CONFIG@@", config(values, setup));
        parts.put("@@REGISTRY_CA@@", registryCa(values.registryCa()));
        parts.put("@@PHONE_HOME@@", compact(require("phone-home.sh"), true));
        parts.put("@@DISCOVER_STORAGE@@", compact(require("discover-storage.sh"), true));
        parts.put("@@INTERRUPTION_WATCH@@", compact(require("interruption-watch.sh"), true));
        parts.put("@@ROLE_SETUP@@", setup.isEmpty() ? "" : compact(require("roles/" + setup + ".sh"), false));
        String delimiter = delimiter(parts.values());

        StringBuilder out = new StringBuilder();
        for (String line : compact(template, true).split("\n", -1)) {
            String part = parts.get(line);
            if (part != null) {
                if (!part.isEmpty()) {
                    out.append(part).append('\n');
                }
            } else {
                out.append(line.replace("@@EOF@@", delimiter)).append('\n');
            }
        }
        String script = out.toString().stripTrailing() + "\n";
        int size = forEc2(script).length;
        if (size >= MAX_BYTES) {
            throw new IllegalArgumentException("userdata for test " + values.test() + ", role " + values.role() + " is "
                    + size + " bytes gzipped; EC2 takes less than " + MAX_BYTES + " (shorter params, env or setup script?)");
        }
        return script;
    }

    /**
     * The bytes EC2 is sent for a script: the script itself when it fits, else gzipped (cloud-init unpacks
     * gzipped userdata itself), so a long role script costs only its compressed size against the limit.
     */
    public static byte[] forEc2(String script) {
        byte[] raw = script.getBytes(StandardCharsets.UTF_8);
        if (raw.length < MAX_BYTES) {
            return raw;
        }
        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream(raw.length / 3);
        try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(gz)) {
            out.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);  // in memory: cannot happen
        }
        return gz.toByteArray();
    }

    /** {@code record.count} → {@code SPOTSH_PARAM_RECORD_COUNT}. */
    public static String paramVariable(String name) {
        return "SPOTSH_PARAM_" + name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9_]", "_");
    }

    private String config(Values v, String setup) {
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("SPOTSH_TEST", oneLine("test", v.test()));
        vars.put("SPOTSH_ROLE", oneLine("role", v.role()));
        vars.put("SPOTSH_SETUP", setup);
        vars.put("SPOTSH_REGISTRY_URL", oneLine("registrationUrl", v.registrationUrl()));
        String key = oneLine("clusterPublicKey", v.clusterPublicKey());
        if (!key.startsWith("ssh-") && !key.startsWith("ecdsa-")) {
            throw new IllegalArgumentException("clusterPublicKey must be an authorized_keys line (ssh-ed25519 AAAA...)");
        }
        vars.put("SPOTSH_CLUSTER_KEY", key);
        for (Map.Entry<String, String> p : v.params().entrySet()) {
            String name = paramVariable(Objects.requireNonNull(p.getKey(), "param name"));
            if (vars.putIfAbsent(name, String.valueOf(p.getValue())) != null) {
                throw new IllegalArgumentException("params '" + p.getKey() + "' and another both become " + name);
            }
        }
        for (Map.Entry<String, String> e : v.env().entrySet()) {
            if (!NAME.matcher(e.getKey()).matches() || RESERVED.contains(e.getKey()) || vars.containsKey(e.getKey())) {
                throw new IllegalArgumentException("env name '" + e.getKey() + "' is not a shell variable name or is"
                        + " one spotsh sets itself");
            }
            vars.put(e.getKey(), String.valueOf(e.getValue()));
        }
        List<String> lines = new ArrayList<>();
        vars.forEach((name, value) -> lines.add(name + "=" + ShellQuote.quote(value)));
        return String.join("\n", lines);
    }

    /** PEM text as it goes into the here-document; only certificates, so no key can go to a node by mistake. */
    private static String registryCa(String pem) {
        if (pem == null || pem.isBlank()) {
            return "";
        }
        String text = pem.replace("\r\n", "\n").strip();
        if (!text.startsWith("-----BEGIN CERTIFICATE-----") || !text.endsWith("-----END CERTIFICATE-----")
                || text.contains("PRIVATE KEY")) {
            throw new IllegalArgumentException("registryCa must be PEM certificates (-----BEGIN CERTIFICATE-----...)");
        }
        return text;
    }

    /** The role setup script's name: {@code <setup>-<role>}, else {@code <setup>}, else (no setup asked) {@code <role>}. */
    private String setupScript(Values v) {
        String role = v.role() == null ? "" : v.role();
        List<String> candidates = v.setup() == null ? List.of(role) : List.of(v.setup() + "-" + role, v.setup());
        for (String name : candidates) {
            if (SCRIPT_NAME.matcher(name).matches() && scripts.read("roles/" + name + ".sh") != null) {
                return name;
            }
        }
        if (v.setup() != null) {
            throw new IllegalArgumentException("no role setup script roles/" + v.setup() + "-" + role + ".sh or roles/"
                    + v.setup() + ".sh in this spotsh build");
        }
        return "";
    }

    private String require(String name) {
        String text = scripts.read(name);
        if (text == null) {
            throw new IllegalStateException("this spotsh build lacks the node script " + name
                    + " (the build copies scripts/ into node-scripts/ on the classpath)");
        }
        return text.replace("\r\n", "\n");
    }

    /**
     * Leaves out comment lines and blank lines (shebangs stay), except inside here-documents, which are kept
     * as written. An arithmetic shift ({@code $((x << 2))}) is no here-document.
     */
    static String compact(String script) {
        return compact(script, false);
    }

    /**
     * {@link #compact(String)}, and with {@code dedent} leading blanks go too: for spotsh's own node scripts (the
     * template, phone-home, storage discovery), whose indentation is ~10% of the userdata. Their multi-line strings,
     * if any, must therefore not depend on indentation; role scripts (maybe Python in quotes) keep theirs.
     */
    static String compact(String script, boolean dedent) {
        StringBuilder out = new StringBuilder();
        String[] lines = script.split("\n");
        String heredocEnd = null;
        boolean stripTabs = false;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String trimmed = line.strip();
            if (heredocEnd != null) {
                out.append(line).append('\n');
                if ((stripTabs ? line.replaceFirst("^\t+", "") : line).equals(heredocEnd)) {
                    heredocEnd = null;
                }
                continue;
            }
            if ((i == 0 && trimmed.startsWith("#!")) || (!trimmed.isEmpty() && !trimmed.startsWith("#"))) {
                out.append(dedent ? line.stripLeading() : line).append('\n');
                Matcher m = HEREDOC.matcher(line);
                if (m.find() && !inArithmetic(line.substring(0, m.start()))) {
                    heredocEnd = m.group(2);
                    stripTabs = m.group(1) != null;
                }
            }
        }
        return out.toString().stripTrailing();
    }

    private static boolean inArithmetic(String before) {
        return before.split("\\(\\(", -1).length > before.split("\\)\\)", -1).length;
    }

    /** A here-document delimiter that no embedded line equals. */
    private static String delimiter(Iterable<String> payloads) {
        for (int n = 0; ; n++) {
            String candidate = n == 0 ? "SPOTSH_EOF" : "SPOTSH_EOF_" + n;
            boolean clash = false;
            for (String payload : payloads) {
                clash |= Pattern.compile("^\\s*" + candidate + "\\s*$", Pattern.MULTILINE).matcher(payload).find();
            }
            if (!clash) {
                return candidate;
            }
        }
    }

    private static String oneLine(String what, String value) {
        if (value == null || value.isBlank() || value.contains("\n") || value.contains("\r")) {
            throw new IllegalArgumentException(what + " must be a non-blank single line");
        }
        return value;
    }
}
