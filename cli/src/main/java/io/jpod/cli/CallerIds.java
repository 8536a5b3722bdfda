package io.jpod.cli;

import io.jpod.engine.RequestContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The caller's credentials, umask and terminal for the request context: in the service from the client's frames and
 * SO_PEERCRED, in-process from this process ({@code /proc/self}).
 */
final class CallerIds {
    private CallerIds() {
    }

    /**
     * The id of a user or group name as SO_PEERCRED names it (the JDK gives the name from the passwd or group file,
     * or the number when there is none), -1 when neither.
     */
    static long id(String name, Path file) {
        if (name.matches("\\d+")) {
            return Long.parseLong(name);
        }
        try (var lines = Files.lines(file)) {
            return lines.map(l -> l.split(":", 4)).filter(f -> f.length >= 3 && f[0].equals(name))
                    .mapToLong(f -> Long.parseLong(f[2])).findFirst().orElse(-1);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The client's "STDIN STDOUT STDERR ROWS COLS" frame (see ServiceFrames.TERMINAL). */
    static RequestContext.Terminal terminal(String frame) {
        String[] f = frame.strip().split(" ");
        try {
            return new RequestContext.Terminal(f[0].equals("1"), f[1].equals("1"), f[2].equals("1"), Integer.parseInt(f[3]),
                    Integer.parseInt(f[4]));
        } catch (RuntimeException e) {
            return RequestContext.Terminal.NONE; // a malformed frame: as if there were no terminal
        }
    }

    /** This process's terminal (in-process: the caller's own fds); its size is not known without an ioctl. */
    static RequestContext.Terminal ownTerminal() {
        return new RequestContext.Terminal(isTerminal(0), isTerminal(1), isTerminal(2), 0, 0);
    }

    private static boolean isTerminal(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** This process's umask, uid and gid from /proc/self/status ({umask or -1, uid, gid}; -1 when unknown). */
    static long[] own() {
        long[] out = {-1, -1, -1};
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Umask:")) {
                    out[0] = Long.parseLong(line.substring(6).strip(), 8);
                } else if (line.startsWith("Uid:")) {
                    out[1] = Long.parseLong(line.substring(4).strip().split("\\s+")[0]);
                } else if (line.startsWith("Gid:")) {
                    out[2] = Long.parseLong(line.substring(4).strip().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc: unknown
        }
        return out;
    }
}
