package io.spotsh.types;

/** A test type could not set up or read its cluster; the message names the node and what it said. */
public class TypeException extends RuntimeException {
    public TypeException(String message) {
        super(message);
    }
}
