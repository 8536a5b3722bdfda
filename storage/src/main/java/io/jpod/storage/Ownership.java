package io.jpod.storage;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Applies file ownership from layers. As uid 0 (real root, or root of jpod's user namespace, which is how jpod always
 * runs) every failure is an error: an id outside the namespace's mapping would otherwise be silently squashed.
 * As a plain user (unit tests, tools run outside the namespace) chown can never work, so ownership is dropped with one
 * warning, the way containers/storage's ignore_chown_errors does.
 */
final class Ownership {
    private final boolean strict;
    private final PrintStream warnings;
    private boolean warned;

    Ownership(PrintStream warnings) {
        this(Native.isRoot(), warnings);
    }

    Ownership(boolean strict, PrintStream warnings) {
        this.strict = strict;
        this.warnings = warnings;
    }

    boolean strict() {
        return strict;
    }

    /**
     * lchown (never follows a final symlink). {@code what} names the object for the error message. Callers set the
     * owner before the mode, because chown clears setuid/setgid.
     */
    void chown(Path p, long uid, long gid, String what) {
        if (uid < 0 || gid < 0 || uid > 0xFFFF_FFFEL || gid > 0xFFFF_FFFEL) {
            throw new StorageException(what + ": invalid owner " + uid + ":" + gid + "; the image is corrupt or hostile");
        }
        String failure = Native.lchown(p, (int) uid, (int) gid);
        if (failure == null) {
            return;
        }
        if (strict) {
            throw new StorageException(what + ": cannot set owner " + uid + ":" + gid + " (" + failure + ");"
                    + " the id is probably not mapped in jpod's user namespace: give your user a range of 65536"
                    + " subordinate ids in /etc/subuid and /etc/subgid");
        }
        if (!warned && warnings != null) {
            warned = true;
            warnings.println("warning: not running as root, so file owners from the image are not kept (files belong to you)");
        }
    }
}
