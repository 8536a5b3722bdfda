package io.jpod.engine;

import sun.misc.Signal;

/**
 * Signals while a foreground container runs. Ctrl-C reaches the container directly (it is in the terminal's
 * foreground process group), so the JVM ignores SIGINT rather than dying and leaving the container behind;
 * SIGTERM and SIGHUP sent to jpod alone are passed on to the monitor, which forwards them to the container.
 */
final class SignalForwarding {
    private SignalForwarding() {
    }

    static void ignoreInterruptsWhile(Process monitor) {
        Signal.handle(new Signal("INT"), s -> { });
        Signal.handle(new Signal("TERM"), s -> monitor.destroy());
        Signal.handle(new Signal("HUP"), s -> monitor.destroy());
    }
}
