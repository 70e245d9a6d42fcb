package io.spotsh.types.cassandra;

import io.spotsh.common.BadInput;

import java.math.BigInteger;

/**
 * Ring positions for a Cassandra cluster of N nodes with one token each ({@code num_tokens: 1}): the Murmur3
 * range [-2^63, 2^63) cut into N equal arcs, node i (1-based) at the start of arc i:
 * <pre>  token(i, N) = -2^63 + (i - 1) * floor(2^64 / N)</pre>
 * N=1 gives -9223372036854775808; N=4 the classic -9223372036854775808, -4611686018427387904, 0,
 * 4611686018427387904. Every node owns 1/N of the data (give or take N-1 tokens out of 2^64), which vnodes'
 * random tokens do not promise at small N.
 *
 * <p>{@code scripts/roles/cassandra-data.sh} computes the same number at boot in dash's 64-bit signed
 * arithmetic (see its {@code token} function); the tests hold the two to the same values.
 */
public final class Tokens {
    static final BigInteger MIN = BigInteger.ONE.shiftLeft(63).negate();
    private static final BigInteger RANGE = BigInteger.ONE.shiftLeft(64);

    private Tokens() {
    }

    /** The initial_token of node {@code node} (1..nodes) in a ring of {@code nodes}. */
    public static BigInteger token(int node, int nodes) {
        if (nodes < 1 || node < 1 || node > nodes) {
            throw new BadInput("cassandra: node " + node + " is no position in a ring of " + nodes + " nodes");
        }
        return MIN.add(BigInteger.valueOf(node - 1).multiply(RANGE.divide(BigInteger.valueOf(nodes))));
    }
}
