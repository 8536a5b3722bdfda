package io.jpod.tests.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** A bounded wait for a condition the test can observe (never a fixed sleep standing in for one). */
public final class Await {
    private Await() {
    }

    /** Polls {@code condition} every 50 ms until it holds; fails the test naming {@code what} after {@code deadline}. */
    public static void await(String what, Duration deadline, BooleanSupplier condition) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                fail("timed out after " + deadline.toSeconds() + " s waiting for: " + what);
            }
            try {
                Thread.sleep(50); // poll interval of a bounded wait
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }
}
