package io.jpod.engine.container;

import io.jpod.rootless.NativeHelper;
import sun.misc.Signal;

/**
 * Signals while a foreground container runs, podman's signal proxy: without -t the monitor is in its own
 * session, so ^C (and any INT, TERM, HUP sent to jpod) reaches the container exactly once, through
 * jpod → monitor → container. With -t the terminal is in raw mode (^C is a byte for the container's pty), so
 * INT is ignored here and TERM/HUP are passed on.
 */
final class SignalRelay {
    private SignalRelay() {
    }

    static void forward(Process monitor, boolean tty, NativeHelper helper) {
        for (String name : new String[]{"INT", "TERM", "HUP"}) {
            Signal sig = new Signal(name);
            if (tty && name.equals("INT")) {
                Signal.handle(sig, s -> { });
                continue;
            }
            Signal.handle(sig, s -> {
                try {
                    helper.signal(monitor.pid(), s.getNumber());
                } catch (RuntimeException e) {
                    // the monitor is gone: nothing left to signal
                }
            });
        }
    }
}
