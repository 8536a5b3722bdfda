package io.jpod.rootless;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A process to start in a running container, as read by {@code jpod-helper exec SPECFILE}: NUL-terminated
 * {@code key=value} records like {@link ContainerSpec}.
 *
 * @param pid               the container init's host pid, whose namespaces are joined
 * @param monitorPid        the host pid of the monitor that started it (its parent), 0 if unknown: the helper
 *                          checks the init still is that monitor's child, so a reused pid is never joined
 * @param monitorStartTicks that monitor's start time (/proc/PID/stat field 22)
 */
public record ExecSpec(long pid, long monitorPid, long monitorStartTicks, String cwd, int uid, int gid, List<Integer> groups, List<String> env, List<String> args,
                       boolean tty, boolean interactive, boolean detach) {
    public ExecSpec {
        groups = List.copyOf(groups);
        env = List.copyOf(env);
        args = List.copyOf(args);
        if (args.isEmpty()) {
            throw new IllegalArgumentException("exec needs a command");
        }
        if (!cwd.startsWith("/")) {
            throw new IllegalArgumentException("working directory must be an absolute path: " + cwd);
        }
        for (String s : args) {
            noNul(s);
        }
        for (String s : env) {
            noNul(s);
        }
        noNul(cwd);
    }

    private static void noNul(String s) {
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("must not contain a NUL character: " + s.replace("\0", "\\0"));
        }
    }

    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        rec(out, "pid", Long.toString(pid));
        if (monitorPid > 0) {
            rec(out, "monitorpid", Long.toString(monitorPid));
            rec(out, "monitorstart", Long.toString(monitorStartTicks));
        }
        rec(out, "cwd", cwd);
        rec(out, "uid", Integer.toString(uid));
        rec(out, "gid", Integer.toString(gid));
        groups.forEach(g -> rec(out, "group", Integer.toString(g)));
        env.forEach(e -> rec(out, "env", e));
        args.forEach(a -> rec(out, "arg", a));
        rec(out, "tty", tty ? "1" : "0");
        rec(out, "interactive", interactive ? "1" : "0");
        rec(out, "detach", detach ? "1" : "0");
        return out.toByteArray();
    }

    private static void rec(ByteArrayOutputStream out, String key, String value) {
        out.writeBytes((key + '=' + value).getBytes(StandardCharsets.UTF_8));
        out.write(0);
    }

    /** Writes the spec (0600) through a temp file and an atomic rename. */
    public void writeTo(Path file) {
        try {
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".exec.", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(tmp, encode());
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new RootlessException("cannot write exec spec " + file + ": " + e.getMessage(), e);
        }
    }
}
