package io.jpod.cli;

import io.jpod.engine.Dirs;
import io.jpod.engine.Engine;
import io.jpod.engine.container.ProcessHost;
import io.jpod.rootless.HostUser;
import io.jpod.rootless.RootlessException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.PrintStream;
import java.util.Map;

/**
 * The top-level command and its global options; subcommands (registered by {@link Commands}) get the engine
 * through {@link #engine()}.
 */
@Command(name = "jpod", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Manage pods, containers and images",
        usageHelpAutoWidth = true)
public final class JpodCommand implements Runnable {
    /** the caller's: set once, before parsing ({@link #bind}; a model may be built before its request, see CommandModels) */
    Map<String, String> env;
    /** Standard output; {@code --noout} swaps in a sink before the command runs. */
    PrintStream out;
    PrintStream err;
    /** where the processes that use the caller's terminal run: this JVM's children, or the native client's */
    ProcessHost host;

    @Option(names = "--root", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "Storage root (default: ~/.local/share/jpod/storage)")
    String root;

    @Option(names = "--runroot", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "Run-time state directory (default: $XDG_RUNTIME_DIR/jpod)")
    String runRoot;

    @Option(names = "--storage-driver", scope = ScopeType.INHERIT, paramLabel = "DRIVER",
            description = "overlay, fuse-overlayfs or vfs (default: overlay when the kernel allows it rootless, else fuse-overlayfs)")
    String storageDriver;

    @Option(names = "--runtime", scope = ScopeType.INHERIT, paramLabel = "PATH",
            description = "The OCI runtime: jpod's helper, or a copy of it by its full path (kept in the container's record)")
    String runtime;

    @Mixin
    GlobalOptions global = new GlobalOptions();

    /** The name after `container` when the command was given as `container NAME` (its usage says so), else null. */
    String containerGroupAs;

    /** "generate" or "play" when the command was given in podman's older spelling `generate kube`/`play kube`, else null. */
    String kubeSpelledAs;

    JpodCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        this(env, out, err, ProcessHost.LOCAL);
    }

    JpodCommand(Map<String, String> env, PrintStream out, PrintStream err, ProcessHost host) {
        bind(env, out, err, host);
    }

    /** The request this command (built ahead, or just now) serves. */
    void bind(Map<String, String> env, PrintStream out, PrintStream err, ProcessHost host) {
        this.host = host;
        this.env = env;
        this.out = out;
        this.err = err;
    }

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(out);
    }

    /** A path the caller named, resolved against its working directory (the service's client's, else this JVM's). */
    java.nio.file.Path callerPath(String path) {
        String cwd = host instanceof ServiceRequest r ? r.cwd() : System.getProperty("user.dir");
        return java.nio.file.Path.of(cwd).resolve(path).normalize();
    }

    /**
     * The caller as the engine's services see it: environment, working directory, streams (stdin is this JVM's: the
     * commands that read it as data run in the client's process, see ServiceRouting), terminal, umask and ids (in the
     * service: the client's frames and SO_PEERCRED; in-process: this process's own).
     */
    io.jpod.engine.RequestContext context() {
        if (host instanceof ServiceRequest r) {
            return new io.jpod.engine.RequestContext(env, java.nio.file.Path.of(r.cwd()), System.in, out, err, r.terminal(), r.umask(),
                    r.uid(), r.gid());
        }
        long[] own = CallerIds.own();
        return new io.jpod.engine.RequestContext(env, java.nio.file.Path.of(System.getProperty("user.dir")), System.in, out, err,
                CallerIds.ownTerminal(), own[0] < 0 ? null : (int) own[0], own[1], own[2]);
    }

    /** An engine for a command that works inside the user namespace. */
    Engine engine() {
        if (!HostUser.inUserNamespace()) {
            throw new RootlessException("jpod was started outside its user namespace; run it through its launcher (bin/jpod)");
        }
        Map<String, String> engineEnv = env;
        if (runtime != null) { // the helper is jpod's runtime; JPOD_HELPER is where the engine finds it
            if (!runtime.startsWith("/") || !java.nio.file.Files.isExecutable(java.nio.file.Path.of(runtime))) {
                throw new io.jpod.engine.EngineException("--runtime " + runtime + ": jpod runs containers with its own helper;"
                        + " give the full path of it or of a copy (jpod info --format '{{.Host.OCIRuntime.Path}}')");
            }
            engineEnv = new java.util.HashMap<>(env);
            engineEnv.put("JPOD_HELPER", runtime);
        }
        return new Engine(Dirs.from(engineEnv, root, runRoot).withVolumes(global.volumePath), engineEnv, err, storageDriver != null ? storageDriver : env.get("JPOD_STORAGE_DRIVER"), host);
    }
}
