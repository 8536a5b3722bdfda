package io.jpod.tests.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A child process with stdin from /dev/null and stdout/stderr going to files. Files rather than pipes, so a
 * grandchild that keeps a copy of the descriptors (a daemonising helper) cannot make reading the output hang.
 */
public final class BoundedProcess {

    private final List<String> command;
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private BoundedProcess(List<String> command, Process process, Path stdout, Path stderr) {
        this.command = List.copyOf(command);
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Starts {@code command} in {@code cwd} with exactly {@code env} as its environment (nothing inherited);
     * output files go into {@code outputDir}.
     */
    public static BoundedProcess start(List<String> command, Map<String, String> env, Path cwd, Path outputDir) {
        return start(command, env, cwd, outputDir, Path.of("/dev/null"));
    }

    /** As {@link #start(List, Map, Path, Path)}, with stdin read from {@code stdin}. */
    public static BoundedProcess start(List<String> command, Map<String, String> env, Path cwd, Path outputDir, Path stdin) {
        try {
            Files.createDirectories(outputDir);
            Path out = Files.createTempFile(outputDir, "stdout-", ".txt");
            Path err = Files.createTempFile(outputDir, "stderr-", ".txt");
            ProcessBuilder pb = new ProcessBuilder(command)
                    .directory(cwd.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(stdin.toFile()))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            pb.environment().clear();
            pb.environment().putAll(env);
            return new BoundedProcess(command, pb.start(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** Runs to completion within {@code timeout}, or kills the process tree and fails the test. */
    public static Result run(Duration timeout, List<String> command, Map<String, String> env, Path cwd, Path outputDir) {
        return start(command, env, cwd, outputDir).await(timeout);
    }

    public Process process() {
        return process;
    }

    public List<String> command() {
        return command;
    }

    /** What the process has written to stdout so far (it keeps running). */
    public String stdoutSoFar() {
        try {
            return new String(Files.readAllBytes(stdout), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits at most {@code timeout}; on timeout kills the whole tree and fails with the output so far. */
    public Result await(Duration timeout) {
        boolean done;
        try {
            done = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            killTree();
            return fail("interrupted while waiting for " + String.join(" ", command));
        }
        if (!done) {
            killTree();
            Result partial = result(-1);
            return fail("timed out after " + timeout.toSeconds() + " s (process tree killed):" + partial);
        }
        return result(process.exitValue());
    }

    /** SIGTERM, then SIGKILL after {@code grace}, to the process and all its descendants; waits for the process. */
    public void stop(Duration grace) {
        List<ProcessHandle> tree = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                killTree();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            killTree();
        }
        // Descendants that outlived their parent (reparented, so no longer in descendants()).
        tree.forEach(ProcessHandle::destroyForcibly);
    }

    /** SIGKILL to the process and every descendant, children first collected while the parent still holds them. */
    public void killTree() {
        List<ProcessHandle> tree = process.descendants().toList();
        process.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Result result(int exit) {
        return new Result(exit, read(stdout), read(stderr), command);
    }

    private static String read(Path p) {
        try {
            // Lenient decoding: a test must report odd bytes, not die on them.
            String s = new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
            Files.deleteIfExists(p);
            return s;
        } catch (IOException e) {
            return "(cannot read " + p + ": " + e + ")";
        }
    }
}
