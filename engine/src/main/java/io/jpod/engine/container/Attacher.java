package io.jpod.engine.container;

import io.jpod.engine.EngineException;
import io.jpod.rootless.NativeHelper;
import io.jpod.storage.ContainerLifecycle;
import io.jpod.storage.ContainerRecord;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * `attach` and `start -a -i`: the native client {@code jpod-helper attach} talks to the monitor's attach socket
 * ({@code <runroot>/containers/<id>/attach.sock}): the container's output comes back, the caller's stdin goes
 * to the container's stdin (a -i container's pipe, or the pty of -t), the detach keys leave it running, and the
 * client exits with the container's status when it ends.
 */
public final class Attacher {
    /** The client's "no status came" exit: the status is read from the container's state instead. */
    private static final int NO_STATUS = 255;

    private Attacher() {
    }

    public static int attach(Lifecycle lc, NativeHelper helper, String idOrName, AttachOptions o, PrintStream out, PrintStream err) {
        ContainerRecord c = lc.current(idOrName);
        if (!lc.running(c)) {
            throw new EngineException("you can only attach to running containers: " + c.name() + " is not running; use jpod start -a");
        }
        Path socket = lc.runDir(c.id()).resolve(Lifecycle.ATTACH_SOCKET);
        if (!Files.exists(socket)) { // started by an older jpod: its output only
            new LogReader(lc, new LogOptions(true, 0, null, false)).print(c.id(), out, err);
            Integer code = lc.await(c.id());
            return code == null ? 0 : code;
        }
        return relay(lc, helper, c, socket, o);
    }

    /** `start -a -i` / `start -i`: launches the monitor holding the output until we are attached, then attaches. */
    public static int start(Lifecycle lc, NativeHelper helper, String idOrName, AttachOptions o) {
        ContainerRecord r = lc.current(idOrName);
        if (lc.running(r)) {
            throw new EngineException("container " + r.name() + " is already running; use jpod attach");
        }
        ContainerLifecycle.Config cfg = r.lifecycle() == null ? null : r.lifecycle().config();
        if (cfg == null || !Files.exists(lc.baseSpec(r.id()))) {
            throw new EngineException("container " + r.name() + " was created by an older jpod and cannot be started; remove it and run it again");
        }
        o.detachBytes(); // a bad --detach-keys fails before the container starts
        lc.awaitMonitorGone(r.id()); // the last run's exit command must not tear down this one
        lc.mount(r);
        int code = lc.launch(r, true, cfg.interactive(), true);
        if (code != 0) {
            return code;
        }
        return relay(lc, helper, lc.get(r.id()), lc.runDir(r.id()).resolve(Lifecycle.ATTACH_SOCKET), o);
    }

    private static int relay(Lifecycle lc, NativeHelper helper, ContainerRecord c, Path socket, AttachOptions o) {
        ContainerLifecycle.Config cfg = c.lifecycle().config();
        boolean tty = cfg.tty();
        boolean stdin = cfg.interactive() && !o.noStdin();
        long sigPid = o.sigProxy() && !tty ? lc.initPid(c) : 0;
        ProcessBuilder pb = new ProcessBuilder(helper.binary().toString(), "attach", socket.toString(), tty ? "1" : "0",
                stdin ? "1" : "0", o.helperArgument(), Long.toString(sigPid)).inheritIO();
        if (!stdin) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process client;
        try {
            client = lc.host().start(pb, !o.sigProxy() ? ProcessHost.SignalProxy.NONE
                    : tty ? ProcessHost.SignalProxy.ALL_BUT_INT : ProcessHost.SignalProxy.ALL, helper);
        } catch (IOException e) {
            throw new EngineException("cannot attach to container " + c.name() + ": " + e.getMessage(), e);
        }
        int code;
        try {
            code = client.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            client.destroy();
            return 125;
        }
        if (code != NO_STATUS) {
            return code;
        }
        Integer status = lc.await(c.id());
        return status == null ? 0 : status;
    }
}
