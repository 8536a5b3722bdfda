package io.jpod.tests.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** A snapshot of the host's processes as /proc shows them to the test JVM. */
public final class ProcFs {

    private static final Path PROC = Path.of("/proc");

    private ProcFs() {}

    /**
     * One process. {@code userNs} is the target of /proc/PID/ns/user ("user:[4026531837]"), empty when the JVM may not
     * read it; {@code capEff} the CapEff mask from /proc/PID/status.
     */
    public record Proc(long pid, long ppid, long realUid, long effectiveUid, List<String> cmdline, String comm,
                       Optional<String> userNs, long capEff) {

        /** argv[0] without its directory, or comm for kernel threads / zombies with an empty cmdline. */
        public String program() {
            if (cmdline.isEmpty() || cmdline.get(0).isEmpty()) {
                return comm;
            }
            String a0 = cmdline.get(0);
            return a0.substring(a0.lastIndexOf('/') + 1);
        }

        @Override
        public String toString() {
            return "pid " + pid + " (ppid " + ppid + ", uid " + realUid + "/" + effectiveUid + ", " + userNs.orElse("userns ?")
                    + ", CapEff " + String.format("%016x", capEff) + "): " + (cmdline.isEmpty() ? "[" + comm + "]" : String.join(" ", cmdline));
        }
    }

    /** The test JVM's own user namespace. */
    public static String selfUserNs() {
        return userNs(PROC.resolve("self")).orElseThrow(() -> new IllegalStateException("cannot read /proc/self/ns/user"));
    }

    public static Optional<String> userNs(long pid) {
        return userNs(PROC.resolve(Long.toString(pid)));
    }

    /** Every process that could be read completely; processes that exit while being read are left out. */
    public static List<Proc> snapshot() {
        List<Proc> all = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path dir : dirs) {
                read(dir).ifPresent(all::add);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc: " + e, e);
        }
        return all;
    }

    public static Optional<Proc> read(long pid) {
        return read(PROC.resolve(Long.toString(pid)));
    }

    private static Optional<Proc> read(Path dir) {
        try {
            long pid = Long.parseLong(dir.getFileName().toString());
            long ppid = -1;
            long ruid = -1;
            long euid = -1;
            long capEff = -1;
            String comm = "";
            for (String line : Files.readAllLines(dir.resolve("status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("PPid:")) {
                    ppid = Long.parseLong(line.substring(5).strip());
                } else if (line.startsWith("Uid:")) {
                    String[] f = line.substring(4).strip().split("\\s+");
                    ruid = Long.parseLong(f[0]);
                    euid = Long.parseLong(f[1]);
                } else if (line.startsWith("CapEff:")) {
                    capEff = Long.parseUnsignedLong(line.substring(7).strip(), 16);
                } else if (line.startsWith("Name:")) {
                    comm = line.substring(5).strip();
                }
            }
            byte[] raw = Files.readAllBytes(dir.resolve("cmdline"));
            List<String> cmdline = raw.length == 0 ? List.of()
                    : Arrays.asList(new String(raw, StandardCharsets.UTF_8).split("\0"));
            return Optional.of(new Proc(pid, ppid, ruid, euid, cmdline, comm, userNs(dir), capEff));
        } catch (IOException | RuntimeException e) {
            // The process exited between listing and reading (or is unreadable): not part of the snapshot.
            return Optional.empty();
        }
    }

    private static Optional<String> userNs(Path procDir) {
        try {
            return Optional.of(Files.readSymbolicLink(procDir.resolve("ns/user")).toString());
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty();
        }
    }
}
