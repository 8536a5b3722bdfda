package io.jpod.engine;

/**
 * Start-up tracing for performance work: with JPOD_TRACE=1, each mark prints the milliseconds since the first
 * mark (made at the top of main) on stderr. Off by default, and then costs one branch.
 * The one process-level read below the CLI (everything else comes in a {@link RequestContext}): tracing is about
 * this JVM, not about a request, so the process's environment and stderr are the right ones.
 */
public final class Trace {
    private static final boolean ON = System.getenv("JPOD_TRACE") != null;
    private static long first;

    private Trace() {
    }

    public static void mark(String what) {
        if (ON) {
            long now = System.nanoTime();
            if (first == 0) {
                first = now;
            }
            System.err.println("jpod-trace " + (now - first) / 1_000_000 + " ms " + what);
        }
    }
}
