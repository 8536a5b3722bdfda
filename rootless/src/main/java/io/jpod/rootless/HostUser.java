package io.jpod.rootless;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Who the invoking user is on the host. Inside the rootless user namespace the kernel reports uid 0,
 * so the host ids are read from the namespace's own uid_map/gid_map ("0 HOSTID 1" on the first line).
 */
public record HostUser(long uid, long gid, String name) {

    // Read once per process: a JVM never changes its user namespace (a multi-threaded process can neither setns nor
    // unshare one), its maps are written once, and it never changes its ids; the per-user service asks on every request.
    private static volatile HostUser current;
    private static volatile Boolean inUserNamespace;

    /** The user as the host sees it, whether this process is inside the jpod user namespace or not. */
    public static HostUser current() {
        HostUser u = current;
        if (u == null) {
            long uid = hostIdOfRoot(Path.of("/proc/self/uid_map"), "Uid:");
            long gid = hostIdOfRoot(Path.of("/proc/self/gid_map"), "Gid:");
            u = new HostUser(uid, gid, nameOf(uid));
            current = u;
        }
        return u;
    }

    /** Whether this process runs in a user namespace other than the initial one. */
    public static boolean inUserNamespace() {
        Boolean in = inUserNamespace;
        if (in == null) {
            try {
                String first = Files.readAllLines(Path.of("/proc/self/uid_map")).get(0).strip();
                in = !first.matches("0\\s+0\\s+4294967295");
            } catch (IOException | IndexOutOfBoundsException e) {
                in = false;
            }
            inUserNamespace = in;
        }
        return in;
    }

    private static long hostIdOfRoot(Path map, String statusKey) {
        try {
            if (inUserNamespace()) {
                String[] f = Files.readAllLines(map).get(0).strip().split("\\s+");
                if (f.length == 3 && f[0].equals("0")) {
                    return Long.parseLong(f[1]);
                }
            }
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(statusKey)) {
                    return Long.parseLong(line.substring(statusKey.length()).strip().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new RootlessException("cannot determine the current user from /proc/self: " + e.getMessage(), e);
        }
        throw new RootlessException("cannot determine the current user from /proc/self/status");
    }

    /** The login name for uid from /etc/passwd; the numeric id when there is none (NSS-only users). */
    static String nameOf(long uid) {
        try {
            List<String> lines = Files.readAllLines(Path.of("/etc/passwd"));
            String id = Long.toString(uid);
            for (String line : lines) {
                String[] f = line.split(":", -1);
                if (f.length > 2 && f[2].equals(id)) {
                    return f[0];
                }
            }
        } catch (IOException e) {
            // fall through: numeric name
        }
        String fromJvm = System.getProperty("user.name");
        return uid != 0 && fromJvm != null && !fromJvm.equals("root") && !fromJvm.equals("?") ? fromJvm : Long.toString(uid);
    }
}
