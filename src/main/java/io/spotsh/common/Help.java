package io.spotsh.common;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * One line of help for a method or property a user types in the shell or a plan.
 * The shell's {@code help} command lists every annotated member of the bound objects.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Help {
    String value();
}
