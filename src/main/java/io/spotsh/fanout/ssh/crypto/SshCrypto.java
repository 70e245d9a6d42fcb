package io.spotsh.fanout.ssh.crypto;

import io.spotsh.fanout.FanoutException;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which of spotsh's own SSH pieces replace SSHJ 0.40.0's, each on its own, so a benchmark can measure what each buys;
 * a piece turned off leaves SSHJ's own algorithm in its place:
 * <ul>
 *   <li>{@code kex}: {@code curve25519-sha256} by {@link Curve25519Kex};</li>
 *   <li>{@code ed25519}: {@code ssh-ed25519} signatures and cluster key files by {@link Ed25519Keys};</li>
 *   <li>{@code gcm}: AES-GCM on the JDK's provider ({@link JdkAesGcm}).</li>
 * </ul>
 * Written as {@code all} (the default), {@code none}, the pieces to keep ({@code kex,gcm}) or the pieces to turn
 * off ({@code -kex,-gcm}):
 * <pre>{@code
 * new SshTransport(settings, SshCrypto.parse("-gcm"))        // everything but the JDK's AES-GCM
 * SPOTSH_SSH_CRYPTO=none scripts/spotsh -f plan.groovy       // the product: SSHJ's algorithms only
 * }</pre>
 */
public final class SshCrypto {
    /** The system property the product reads first ({@code -Dspotsh.ssh.crypto=none}). */
    public static final String PROPERTY = "spotsh.ssh.crypto";
    /** The environment variable the product reads when the property is not set. */
    public static final String ENV = "SPOTSH_SSH_CRYPTO";
    public static final SshCrypto ALL = new SshCrypto(EnumSet.allOf(Piece.class));
    public static final SshCrypto NONE = new SshCrypto(EnumSet.noneOf(Piece.class));

    /** One piece that can be turned off. */
    public enum Piece {
        KEX, ED25519, GCM;

        /** As written in a specification: lower case. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Set<Piece> on;

    private SshCrypto(Set<Piece> on) {
        this.on = Set.copyOf(on);
    }

    /** Whether spotsh's own {@code piece} is used (rather than SSHJ's algorithm). */
    public boolean uses(Piece piece) {
        return on.contains(piece);
    }

    /**
     * Reads {@code all}, {@code none}, pieces to keep ({@code kex,ed25519}) or pieces to turn off ({@code -gcm -kex}),
     * separated by commas or spaces; anything else is an error naming the value.
     */
    public static SshCrypto parse(String spec) {
        String[] items = spec == null ? new String[0] : spec.trim().toLowerCase(Locale.ROOT).split("[,\\s]+");
        if (items.length == 0 || items[0].isEmpty()) {
            throw invalid(spec, "it is empty");
        }
        if (items.length == 1 && items[0].equals("all")) {
            return ALL;
        }
        if (items.length == 1 && items[0].equals("none")) {
            return NONE;
        }
        boolean off = items[0].startsWith("-");
        EnumSet<Piece> pieces = off ? EnumSet.allOf(Piece.class) : EnumSet.noneOf(Piece.class);
        for (String item : items) {
            if (item.startsWith("-") != off) {
                throw invalid(spec, "it mixes pieces to keep with pieces to turn off ('" + item + "')");
            }
            Piece piece = piece(off ? item.substring(1) : item);
            if (piece == null) {
                throw invalid(spec, "'" + item + "' is not a piece");
            }
            if (off) {
                pieces.remove(piece);
            } else {
                pieces.add(piece);
            }
        }
        return new SshCrypto(pieces);
    }

    /** The product's choice: {@link #PROPERTY}, else {@link #ENV}, else {@link #ALL}. */
    public static SshCrypto fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /** As {@link #fromEnvironment()}, with {@code env} for the process's environment; an error names its source. */
    public static SshCrypto fromEnvironment(Map<String, String> env) {
        String property = System.getProperty(PROPERTY);
        String source = property != null ? "-D" + PROPERTY : ENV;
        String spec = property != null ? property : env.get(ENV);
        if (spec == null) {
            return ALL;
        }
        try {
            return parse(spec);
        } catch (FanoutException e) {
            throw new FanoutException(source + ": " + e.getMessage(), e);
        }
    }

    private static Piece piece(String label) {
        return Arrays.stream(Piece.values()).filter(p -> p.label().equals(label)).findFirst().orElse(null);
    }

    private static FanoutException invalid(String spec, String why) {
        String known = Arrays.stream(Piece.values()).map(Piece::label).collect(Collectors.joining(", "));
        return new FanoutException("bad SSH crypto setting '" + spec + "': " + why + "; write all, none, pieces to keep"
                + " (of " + known + ") or pieces to turn off (-kex,-gcm)");
    }

    /** {@code all}, {@code none}, or the pieces in use ({@code kex,gcm}). */
    @Override
    public String toString() {
        if (on.size() == Piece.values().length) {
            return "all";
        }
        return on.isEmpty() ? "none" : Arrays.stream(Piece.values()).filter(on::contains).map(Piece::label)
                .collect(Collectors.joining(","));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SshCrypto c && on.equals(c.on);
    }

    @Override
    public int hashCode() {
        return on.hashCode();
    }
}
