package io.spotsh.cloud;

/** An availability zone and the current spot price there for one instance type (USD per hour). */
public record Zone(String name, String instanceType, double spotPrice) {
}
