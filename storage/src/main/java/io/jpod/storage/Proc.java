package io.jpod.storage;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a mount tool and collects its exit status and stderr. */
final class Proc {
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    record Result(int exit, String stderr) {
        /** The last non-blank stderr line, for one-line error messages. */
        String lastLine() {
            String[] lines = stderr.strip().split("\n");
            for (int i = lines.length - 1; i >= 0; i--) {
                if (!lines[i].isBlank()) {
                    return lines[i].strip();
                }
            }
            return "exit status " + exit;
        }
    }

    private Proc() {
    }

    /**
     * Runs {@code cmd} in {@code dir} (null: inherit). stderr goes to a temp file, not a pipe: fuse-overlayfs daemonises
     * and its background child keeps the inherited stderr open, so reading a pipe to EOF would never finish.
     */
    static Result run(List<String> cmd, Path dir, Duration timeout) {
        Path err = null;
        try {
            err = Files.createTempFile("jpod-", ".stderr");
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(err.toFile());
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new StorageException("cannot run " + cmd.get(0) + ": " + Fs.describe(e) + "; is it installed?");
            }
            boolean finished;
            try {
                finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new StorageException("interrupted while running " + cmd.get(0));
            }
            if (!finished) {
                p.destroyForcibly();
                throw new StorageException(cmd.get(0) + " did not finish within " + timeout.toSeconds() + " s; it was killed");
            }
            String text = new String(Files.readAllBytes(err), StandardCharsets.UTF_8);
            return new Result(p.exitValue(), text);
        } catch (IOException e) {
            throw new StorageException("cannot run " + cmd.get(0) + ": " + Fs.describe(e));
        } finally {
            if (err != null) {
                try {
                    Files.deleteIfExists(err);
                } catch (IOException e) {
                    // a stray temp file is harmless
                }
            }
        }
    }

    /** The first executable named {@code name} in {@code path} (directories separated by ':'), or null. */
    static Path onPath(String name, String path) {
        for (String d : path.split(":")) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
