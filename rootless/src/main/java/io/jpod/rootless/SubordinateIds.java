package io.jpod.rootless;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The subordinate id ranges of one user, read from /etc/subuid or /etc/subgid
 * (lines "name-or-uid:start:count", see subuid(5)).
 */
public final class SubordinateIds {
    private SubordinateIds() {
    }

    /** Parses the file's text and returns the ranges for the user, given by name or numeric id, in file order. */
    public static List<IdRange> parse(String text, String userName, long userId) {
        List<IdRange> ranges = new ArrayList<>();
        String uid = Long.toString(userId);
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(":");
            if (f.length != 3 || !(f[0].equals(userName) || f[0].equals(uid))) {
                continue;
            }
            try {
                long start = Long.parseLong(f[1].strip());
                long count = Long.parseLong(f[2].strip());
                if (count > 0 && start >= 0) {
                    ranges.add(new IdRange(start, count));
                }
            } catch (NumberFormatException e) {
                // a malformed line is skipped the way shadow-utils skips it
            }
        }
        return List.copyOf(ranges);
    }

    /**
     * The ranges for the user in {@code file}; a missing file or no entry is a {@link RootlessException}
     * telling how to add one.
     */
    public static List<IdRange> read(Path file, String userName, long userId) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            text = "";
        } catch (IOException e) {
            throw new RootlessException("cannot read " + file + ": " + e.getMessage());
        }
        List<IdRange> ranges = parse(text, userName, userId);
        if (ranges.isEmpty()) {
            throw new RootlessException("no subordinate id range for user \"" + userName + "\" (uid " + userId
                    + ") in " + file + "; ask an administrator to add one, e.g. `usermod --add-subuids 100000-165535"
                    + " --add-subgids 100000-165535 " + userName + "`");
        }
        return ranges;
    }
}
