package io.jpod.engine.container;

import io.jpod.rootless.NativeHelper;

import java.io.IOException;

/**
 * Where the helper processes that use the caller's terminal run (the monitor of `run`/`start`, `exec`, the attach
 * client). In a `jpod` JVM of its own ({@link #LOCAL}) they are its children and share its stdio. In the per-user
 * service the caller is another process: the service's host hands the command to the native client, which runs it
 * with its own stdin/stdout/stderr and terminal and reports the pid and the exit status back.
 */
public interface ProcessHost {

    /** Which of jpod's signals reach the started process while jpod waits for it. */
    enum SignalProxy {
        /** none: jpod's default dispositions (a detached launch) */
        NONE,
        /** INT, TERM and HUP are passed on (podman's signal proxy, no -t) */
        ALL,
        /** INT is ignored (with -t it is a byte on the container's pty), TERM and HUP are passed on */
        ALL_BUT_INT
    }

    /**
     * Starts {@code pb}. Its stdin is inherited or /dev/null, stdout and stderr are inherited (the caller's) or
     * redirected to a file; the environment is {@code pb.environment()}.
     */
    Process start(ProcessBuilder pb, SignalProxy signals, NativeHelper helper) throws IOException;

    /** The JVM's own children: what a `jpod` command run in its own JVM does. */
    ProcessHost LOCAL = (pb, signals, helper) -> {
        Process p = pb.start();
        switch (signals) {
            case ALL -> SignalRelay.forward(p, false, helper);
            case ALL_BUT_INT -> SignalRelay.forward(p, true, helper);
            case NONE -> { }
        }
        return p;
    };
}
