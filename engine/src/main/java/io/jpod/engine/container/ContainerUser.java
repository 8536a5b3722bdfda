package io.jpod.engine.container;

import io.jpod.engine.EngineException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The identity a container process runs as, resolved from a {@code user[:group]} spec against the image's own
 * /etc/passwd and /etc/group (read inside the rootfs, links resolved within it), as podman does: names are
 * looked up, numbers are taken as they are, a uid missing from passwd gets gid 0 and HOME "/".
 */
public record ContainerUser(long uid, long gid, List<Long> groups, String home) {

    public static ContainerUser resolve(Path rootfs, String spec) {
        return resolve(rootfs, spec, null);
    }

    /**
     * As {@link #resolve(Path, String)}, for a running container: {@code runDir}'s passwd and group, where jpod
     * bound its own copies over the image's (keep-id's added user), are what the container sees, so they count.
     */
    public static ContainerUser resolve(Path rootfs, String spec, Path runDir) {
        String userPart = spec == null || spec.isBlank() ? "0" : spec;
        String groupPart = null;
        int colon = userPart.indexOf(':');
        if (colon >= 0) {
            groupPart = userPart.substring(colon + 1);
            userPart = userPart.substring(0, colon);
        }
        List<String[]> passwd = runDir != null && Files.isRegularFile(runDir.resolve("passwd"))
                ? read(runDir, "/passwd") : read(rootfs, "/etc/passwd");
        List<String[]> group = runDir != null && Files.isRegularFile(runDir.resolve("group"))
                ? read(runDir, "/group") : read(rootfs, "/etc/group");

        String[] pw = null;
        for (String[] f : passwd) {
            if (f.length >= 6 && (f[0].equals(userPart) || (isNumber(userPart) && f[2].equals(userPart)))) {
                pw = f;
                break;
            }
        }
        long uid;
        long gid;
        String home = "/";
        String userName = null;
        if (pw != null) {
            uid = parseId(pw[2], "uid of user " + pw[0] + " in /etc/passwd");
            gid = parseId(pw[3], "gid of user " + pw[0] + " in /etc/passwd");
            home = pw[5].isEmpty() ? "/" : pw[5];
            userName = pw[0];
        } else if (isNumber(userPart)) {
            uid = Long.parseLong(userPart);
            gid = 0;
        } else {
            throw new EngineException("unable to find user " + userPart + ": no matching entries in the image's /etc/passwd");
        }
        if (groupPart != null && !groupPart.isEmpty()) {
            gid = lookupGroup(group, groupPart);
        }
        List<Long> groups = new ArrayList<>();
        if (userName != null && groupPart == null) {
            for (String[] f : group) {
                if (f.length >= 4 && !f[3].isEmpty() && List.of(f[3].split(",")).contains(userName)) {
                    long g = parseId(f[2], "gid of group " + f[0] + " in /etc/group");
                    if (g != gid && !groups.contains(g)) {
                        groups.add(g);
                    }
                }
            }
        }
        if (uid > 65536 || gid > 65536) {
            throw new EngineException("user " + spec + " (uid " + uid + ", gid " + gid + ") is outside the ids mapped into"
                    + " the user namespace (0-65536); use a smaller id or a larger /etc/subuid range");
        }
        return new ContainerUser(uid, gid, List.copyOf(groups), home);
    }

    static long lookupGroup(List<String[]> group, String name) {
        for (String[] f : group) {
            if (f.length >= 3 && (f[0].equals(name) || (isNumber(name) && f[2].equals(name)))) {
                return parseId(f[2], "gid of group " + f[0] + " in /etc/group");
            }
        }
        if (isNumber(name)) {
            return Long.parseLong(name);
        }
        throw new EngineException("unable to find group " + name + ": no matching entries in the image's /etc/group");
    }

    static List<String[]> read(Path rootfs, String file) {
        Path p = RootfsPath.resolve(rootfs, file);
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try {
            List<String[]> rows = new ArrayList<>();
            for (String line : Files.readAllLines(p)) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    rows.add(line.split(":", -1));
                }
            }
            return rows;
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of(); // unreadable or not text: behave as if absent, like podman
        }
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit) && s.length() < 11;
    }

    /** An id field of the image's passwd or group: 0 to 4294967294 (-1, i.e. 4294967295, means "no id" to the kernel). */
    private static long parseId(String s, String what) {
        long id;
        try {
            id = Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new EngineException("the image's " + what + " is not a number: \"" + s + "\"; fix the image or run with --user UID:GID");
        }
        if (id < 0 || id > 0xFFFF_FFFEL) {
            throw new EngineException("the image's " + what + " is " + s + ", which is not a valid id (0 to 4294967294);"
                    + " fix the image or run with --user UID:GID");
        }
        return id;
    }
}
