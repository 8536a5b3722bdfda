package io.jpod.engine.build;

import java.io.IOException;
import java.nio.file.Path;

/** A build context given as a tar archive (`jpod build -` with a tar, plain or compressed, on stdin). */
public final class ContextArchive {
    private ContextArchive() {
    }

    /** Whether the file starts like a tar archive (plain, gzip, bzip2 or xz) rather than a Containerfile. */
    public static boolean isArchive(Path file) throws IOException {
        return RootfsCopier.isArchive(file);
    }

    /** Extracts the archive into dir, every entry confined to it (as ADD extracts). */
    public static void extract(Path archive, Path dir) throws IOException {
        new RootfsCopier(dir, 0, 0, null).extract(archive, "/");
    }
}
