package io.jpod.engine.container;

import io.jpod.engine.EngineException;
import io.jpod.storage.ContainerState;
import io.jpod.rootless.ExecSpec;
import io.jpod.rootless.NativeHelper;
import io.jpod.storage.ContainerLifecycle;
import io.jpod.storage.ContainerRecord;
import io.jpod.storage.Store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * `jpod exec`: resolves user, environment and working directory like `run` does (against the container's own
 * rootfs), then `jpod-helper exec` joins the container's namespaces and runs the command.
 */
public final class ExecRunner {
    private final Store store;
    private final Lifecycle lifecycle;
    private final NativeHelper helper;
    private final Map<String, String> callerEnv;

    public ExecRunner(Store store, Lifecycle lifecycle, NativeHelper helper, Map<String, String> callerEnv) {
        this.store = store;
        this.lifecycle = lifecycle;
        this.helper = helper;
        this.callerEnv = callerEnv;
    }

    /** {@link #exec(ExecRequest, Path, java.time.Duration)}'s status for a command that outran its time. */
    static final int TIMED_OUT = -1;

    public int exec(ExecRequest req) {
        return exec(req, null, null);
    }

    /**
     * @param capture where stdout and stderr go (null: the caller's)
     * @param timeout how long the command may take before it is given up on ({@link #TIMED_OUT}); null: no limit
     */
    public int exec(ExecRequest req, Path capture, java.time.Duration timeout) {
        if (req.command().isEmpty()) {
            throw new EngineException("exec needs a command to run");
        }
        ContainerRecord c = lifecycle.current(req.container());
        if (c.state() != ContainerState.RUNNING || c.lifecycle() == null) {
            throw new EngineException("container " + c.name() + " is not running; start it first");
        }
        ContainerLifecycle.Config config = c.lifecycle().config();
        Path merged = store.containers().mergedDir(c.id());
        ContainerUser user = ContainerUser.resolve(merged, req.user() != null ? req.user() : config.user(), lifecycle.runDir(c.id()));
        Map<String, String> env = new LinkedHashMap<>();
        for (String e : config.env() == null ? List.<String>of() : config.env()) {
            int eq = e.indexOf('=');
            env.put(e.substring(0, eq), e.substring(eq + 1));
        }
        if (req.user() != null) {
            env.put("HOME", user.home());
        }
        if (req.tty()) {
            env.putIfAbsent("TERM", "xterm");
        }
        for (String e : req.env()) {
            int eq = e.indexOf('=');
            if (eq == 0) {
                throw new EngineException("invalid environment variable \"" + e + "\": the name is empty");
            } else if (eq < 0) {
                if (callerEnv.get(e) != null) {
                    env.put(e, callerEnv.get(e));
                }
            } else {
                env.put(e.substring(0, eq), e.substring(eq + 1));
            }
        }
        List<String> envList = new ArrayList<>();
        env.forEach((k, v) -> envList.add(k + "=" + v));
        String cwd = req.workdir() != null ? req.workdir() : config.workdir() != null ? config.workdir() : "/";
        if (!cwd.startsWith("/")) {
            throw new EngineException("the working directory \"" + cwd + "\" is not an absolute path");
        }
        io.jpod.rootless.NativeHelper.ContainerProcess process = lifecycle.containerProcess(c);
        ExecSpec spec = new ExecSpec(process.pid(), process.monitorPid(), process.monitorStartTicks(), cwd, (int) user.uid(), (int) user.gid(),
                user.groups().stream().map(Long::intValue).toList(), envList, req.command(), req.tty(), req.interactive(), req.detach());
        Path specFile = null;
        try {
            Path run = lifecycle.runDir(c.id());
            Files.createDirectories(run);
            specFile = Files.createTempFile(run, "exec.", ".spec");
            spec.writeTo(specFile);
            ContainerCgroups.appendExecRecords(store.containers().dir(c.id()), specFile); // exec'd processes count against the limits
            SandboxPolicy.appendExecRecords(lifecycle.baseSpec(c.id()), specFile, user.uid()); // and share its sandbox
            ProcessBuilder pb = helper.execInContainer(specFile).inheritIO();
            if (!req.interactive() && !req.tty()) {
                pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            }
            if (capture != null) {
                pb.redirectErrorStream(true).redirectOutput(capture.toFile());
            }
            // ^C reaches the exec'd process through the terminal, TERM and HUP are passed on
            Process p = lifecycle.host().start(pb, ProcessHost.SignalProxy.ALL_BUT_INT, helper);
            try {
                if (timeout == null) {
                    return p.waitFor();
                }
                if (!p.waitFor(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)) {
                    p.destroyForcibly();
                    return TIMED_OUT;
                }
                return p.exitValue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroy();
                return 125;
            }
        } catch (IOException e) {
            throw new EngineException("cannot exec in container " + c.name() + ": " + e.getMessage(), e);
        } finally {
            if (specFile != null) {
                try {
                    Files.deleteIfExists(specFile);
                } catch (IOException e) {
                    // best effort: the run dir goes with the container
                }
            }
        }
    }
}
