package io.jpod.cli;

import io.jpod.engine.EngineException;
import io.jpod.engine.container.RunRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** `jpod run` options about how the container is attached and supervised. */
@Command
public final class RunLifecycleOptions {
    @Option(names = {"-i", "--interactive"}, description = "Keep stdin open")
    boolean interactive;

    @Option(names = {"-t", "--tty"}, description = "Allocate a pseudo-terminal")
    boolean tty;

    @Option(names = {"-d", "--detach"}, description = "Run in the background and print the container id")
    boolean detach;

    @Option(names = {"-a", "--attach"}, paramLabel = "STREAM", description = "Attach only these of stdin, stdout, stderr (repeatable; "
            + "default: all); without stdout the container id is printed, the output still goes to the log")
    java.util.List<String> attach = new java.util.ArrayList<>();

    @Option(names = "--init", description = "Run an init (the helper) as PID 1: reaps zombies, forwards signals")
    boolean init;

    @Option(names = "--stop-signal", paramLabel = "SIGNAL", description = "Signal to stop the container (default: SIGTERM)")
    String stopSignal;

    @Option(names = "--stop-timeout", paramLabel = "SECONDS", description = "Seconds to wait after the stop signal before SIGKILL (default: 10)")
    Integer stopTimeout;

    @Option(names = {"-l", "--label"}, paramLabel = "KEY=VALUE", description = "Set a label on the container")
    List<String> labels = new ArrayList<>();

    @Option(names = "--log-driver", paramLabel = "DRIVER", description = "Logging driver: k8s-file (default) or none")
    String logDriver;

    @Option(names = "--log-opt", paramLabel = "KEY=VALUE", description = "Logging option: max-size=SIZE (rotate past it), path=FILE")
    List<String> logOpts = new ArrayList<>();

    @Option(names = "--restart", paramLabel = "POLICY", description = "Start the container again when it ends: no (default), "
            + "on-failure[:MAX], always, unless-stopped (`jpod stop` ends it for good)")
    String restart;

    @picocli.CommandLine.Mixin
    RunHealthOptions health;

    @Option(names = "--annotation", paramLabel = "KEY=VALUE", description = "Add an annotation to the container (inspect's .Config.Annotations)")
    List<String> annotations = new ArrayList<>();

    @Option(names = "--label-file", paramLabel = "FILE", description = "Read KEY=VALUE label lines from a file (before --label)")
    List<String> labelFiles = new ArrayList<>();

    @Option(names = "--replace", description = "Remove (as rm -f) an existing container of the same --name first")
    boolean replace;

    @Option(names = "--cidfile", paramLabel = "FILE", description = "Write the container's id to FILE (which must not exist)")
    String cidFile;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Kill the container after this many seconds of running (exit code -1; 0: no limit)")
    Long timeout;

    /** KEY=VALUE words as a map (podman's --annotation: a word without "=" is refused); the last of a key wins. */
    static Map<String, String> annotations(List<String> words) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String a : words) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new EngineException("annotations must be formatted KEY=VALUE");
            }
            out.put(a.substring(0, eq), a.substring(eq + 1));
        }
        return out;
    }

    RunRequest.LifecycleRequest toRequest() {
        if (timeout != null && timeout < 0) {
            throw new EngineException("invalid argument \"" + timeout + "\" for \"--timeout\" flag: give seconds, 0 or more");
        }
        if (stopTimeout != null && stopTimeout < 0) {
            throw new EngineException("--stop-timeout must not be negative: " + stopTimeout);
        }
        Map<String, String> l = new LinkedHashMap<>();
        for (String s : labelFiles.isEmpty() ? labels : EnvFiles.withFiles(labelFiles, labels, "label")) {
            int eq = s.indexOf('=');
            l.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
        }
        java.util.Set<String> streams = new java.util.HashSet<>();
        for (String a : attach) {
            String s = a.toLowerCase(java.util.Locale.ROOT);
            if (!s.equals("stdin") && !s.equals("stdout") && !s.equals("stderr")) {
                throw new EngineException("invalid stream \"" + a + "\" for --attach - must be one of stdin, stdout, or stderr: invalid argument");
            }
            streams.add(s);
        }
        if (detach && !streams.isEmpty()) {
            throw new EngineException("--attach and --detach cannot be used together");
        }
        return new RunRequest.LifecycleRequest(detach, tty, interactive, init, stopSignal, stopTimeout, l,
                io.jpod.engine.container.LogConfig.parse(logDriver, logOpts), false, io.jpod.engine.container.RestartPolicy.parse(restart),
                health.toConfig(), replace, cidFile == null ? null : java.nio.file.Path.of(cidFile).toAbsolutePath(), streams,
                timeout == null || timeout == 0 ? null : timeout, annotations(annotations));
    }
}
