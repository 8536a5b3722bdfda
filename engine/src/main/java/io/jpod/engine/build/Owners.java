package io.jpod.engine.build;

import io.jpod.engine.EngineException;
import io.jpod.engine.container.RootfsPath;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** COPY/ADD --chown=USER[:GROUP]: numbers as given, names looked up in the destination image's /etc/passwd and /etc/group. */
final class Owners {
    private Owners() {
    }

    /** {uid, gid}; without a group the gid is the uid's number (Docker's rule for --chown). */
    static int[] resolve(Path root, String chown) {
        int colon = chown.indexOf(':');
        String user = colon < 0 ? chown : chown.substring(0, colon);
        String group = colon < 0 ? null : chown.substring(colon + 1);
        int uid = id(root, "/etc/passwd", user, "user");
        int gid = group == null ? uid : id(root, "/etc/group", group, "group");
        return new int[]{uid, gid};
    }

    private static int id(Path root, String file, String name, String what) {
        if (name.matches("\\d+")) {
            return Integer.parseInt(name);
        }
        Path f = RootfsPath.resolve(root, file);
        try {
            if (Files.isRegularFile(f)) {
                for (String line : Files.readAllLines(f)) {
                    String[] fields = line.split(":", -1);
                    if (fields.length > 2 && fields[0].equals(name) && fields[2].matches("\\d+")) {
                        return Integer.parseInt(fields[2]);
                    }
                }
            }
        } catch (IOException e) {
            throw new EngineException("cannot read " + file + " of the image: " + e.getMessage(), e);
        }
        throw new EngineException("--chown: no " + what + " \"" + name + "\" in the image's " + file);
    }
}
