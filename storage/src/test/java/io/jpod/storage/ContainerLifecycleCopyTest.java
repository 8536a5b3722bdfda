package io.jpod.storage;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The read-only copies the store hands out (records are shared between requests, see ContentCache) must carry every
 * field: a field added to a record and forgotten in its copy would vanish on every read. Each record is filled
 * through its canonical constructor with a non-null value for every component, so a new component is covered
 * without touching this test.
 */
class ContainerLifecycleCopyTest {

    @Test
    void theReadOnlyCopyKeepsEveryFieldOfEveryNestedRecord() throws Exception {
        ContainerLifecycle full = filled(ContainerLifecycle.class);
        ContainerLifecycle copy = full.immutable();
        assertEquals(full, copy);
        for (RecordComponent c : ContainerLifecycle.Config.class.getRecordComponents()) {
            assertNotNull(c.getAccessor().invoke(copy.config()), "Config." + c.getName() + " lost by the copy");
        }
        for (RecordComponent c : ContainerLifecycle.RunFlags.class.getRecordComponents()) {
            assertNotNull(c.getAccessor().invoke(copy.config().runFlags()), "RunFlags." + c.getName() + " lost by the copy");
        }
    }

    /** A record with every component set: nested records filled the same way, other types a fixed non-null value. */
    private static <T> T filled(Class<T> type) throws Exception {
        RecordComponent[] components = type.getRecordComponents();
        Class<?>[] types = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
        Object[] values = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            values[i] = valueOf(types[i]);
        }
        Constructor<T> canonical = type.getDeclaredConstructor(types);
        canonical.setAccessible(true);
        return canonical.newInstance(values);
    }

    private static Object valueOf(Class<?> t) throws Exception {
        if (t.isRecord()) {
            return filled(t);
        }
        if (t == String.class) {
            return "x";
        }
        if (t == Long.class || t == long.class) {
            return 7L;
        }
        if (t == Integer.class || t == int.class) {
            return 3;
        }
        if (t == Boolean.class || t == boolean.class) {
            return Boolean.TRUE;
        }
        if (t == Instant.class) {
            return Instant.parse("2026-12-06T23:00:00Z");
        }
        if (t == List.class) {
            return List.of("a", "b");
        }
        if (t == Map.class) {
            return Map.of("k", "v");
        }
        throw new AssertionError("no test value for a component of type " + t.getName() + ": add one here");
    }
}
