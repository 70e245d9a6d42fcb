package io.spotsh.registry;

import java.time.OffsetDateTime;
import java.util.Map;

/**
 * One test as the registry knows it. {@link #toString()} is safe to print: the registration
 * URL inside masks its password.
 *
 * @param id               the registry's id of the test
 * @param name             unique name, e.g. {@code cassandra-300}
 * @param type             the test type, e.g. {@code cassandra}
 * @param provider         where its instances run: {@code local}, {@code aws}
 * @param state            created, launching, running, finished, failed or terminated
 * @param owner            who created it
 * @param params           the test type's parameters
 * @param createdAt        when it was created
 * @param finishedAt       when it reached finished, failed or terminated, or null
 * @param expiresAt        after this its instances are fair game for {@code reap}, or null for never
 * @param registrationUrl  what its nodes phone home with
 */
public record TestInfo(long id, String name, String type, String provider, String state, String owner,
                       Map<String, Object> params, OffsetDateTime createdAt, OffsetDateTime finishedAt,
                       OffsetDateTime expiresAt, RegistrationUrl registrationUrl) {
}
