package io.jpod.tests.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Tar archives as the save/load tests read and make them: entries by name, in archive order. */
public final class TarFiles {
    private TarFiles() {
    }

    /** Every entry's name, in order. */
    public static List<String> names(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(Files.newInputStream(file))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                out.add(e.getName());
            }
        }
        return out;
    }

    /** The regular files' contents by name, in order. */
    public static Map<String, byte[]> files(Path file) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(Files.newInputStream(file))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                if (e.isFile()) {
                    out.put(e.getName(), tar.readAllBytes());
                }
            }
        }
        return out;
    }

    /** Writes symlinks (name → target), then files (mode 0644), as a tar {@code owner} owns. */
    public static void write(Path file, Map<String, byte[]> entries, Map<String, String> symlinks, TestUser owner) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, String> l : symlinks.entrySet()) {
                TarArchiveEntry te = new TarArchiveEntry(l.getKey(), TarArchiveEntry.LF_SYMLINK);
                te.setLinkName(l.getValue());
                tar.putArchiveEntry(te);
                tar.closeArchiveEntry();
            }
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                TarArchiveEntry te = new TarArchiveEntry(e.getKey(), true);
                te.setSize(e.getValue().length);
                te.setMode(0644);
                tar.putArchiveEntry(te);
                tar.write(e.getValue());
                tar.closeArchiveEntry();
            }
        }
        try (OutputStream o = Files.newOutputStream(file)) {
            bytes.writeTo(o);
        }
        owner.chown(file);
    }
}
