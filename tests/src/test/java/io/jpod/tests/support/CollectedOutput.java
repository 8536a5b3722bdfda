package io.jpod.tests.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A process's output read on a thread of its own as it comes, for tests that wait for a prompt or a line while the
 * process keeps running (pair with {@link Await#await}).
 */
public final class CollectedOutput {
    private final StringBuffer seen = new StringBuffer();
    private final Thread reader;

    private CollectedOutput(Process process) {
        reader = new Thread(() -> {
            byte[] buf = new byte[4096];
            try {
                for (int n; (n = process.getInputStream().read(buf)) > 0; ) {
                    seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // process gone
            }
        }, "output-of-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts reading {@code process}'s stdout (with stderr, if the builder merged them). */
    public static CollectedOutput of(Process process) {
        return new CollectedOutput(process);
    }

    public boolean contains(String text) {
        return seen.indexOf(text) >= 0;
    }

    /** Waits (bounded) for the reader to reach the end of the output, after the process ended. */
    public void join(long millis) throws InterruptedException {
        reader.join(millis);
    }

    @Override
    public String toString() {
        return seen.toString();
    }
}
