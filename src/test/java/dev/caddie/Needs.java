package dev.caddie;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A test (or every test of a class) that needs something a fresh machine may lack: without it the test is
 * skipped, counted as skipped, and one line says how to get it. Never a failure for that reason alone.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Inherited
@ExtendWith(Requirement.Condition.class)
public @interface Needs {
    Requirement[] value();
}
