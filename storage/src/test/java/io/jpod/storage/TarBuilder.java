package io.jpod.storage;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/** Builds tar streams in memory for tests, including hostile ones (names are written exactly as given). */
final class TarBuilder {
    static final FileTime MTIME = FileTime.fromMillis(1_600_000_000_000L);

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar;

    TarBuilder() {
        this(TarArchiveOutputStream.LONGFILE_POSIX);
    }

    TarBuilder(int longFileMode) {
        tar = new TarArchiveOutputStream(bytes, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(longFileMode);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    private TarArchiveEntry entry(String name, byte type) {
        TarArchiveEntry e = new TarArchiveEntry(name, type, true);
        e.setModTime(MTIME);
        return e;
    }

    TarBuilder file(String name, String content) {
        return file(name, content, 0644, 0, 0, Map.of());
    }

    TarBuilder file(String name, String content, int mode) {
        return file(name, content, mode, 0, 0, Map.of());
    }

    TarBuilder file(String name, String content, int mode, long uid, long gid, Map<String, String> pax) {
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = entry(name, TarConstants.LF_NORMAL);
        e.setMode(mode);
        e.setSize(data.length);
        e.setUserId(uid);
        e.setGroupId(gid);
        pax.forEach(e::addPaxHeader);
        put(e, data);
        return this;
    }

    TarBuilder dir(String name) {
        return dir(name, 0755);
    }

    TarBuilder dir(String name, int mode) {
        return dir(name, mode, Map.of());
    }

    TarBuilder dir(String name, int mode, Map<String, String> pax) {
        TarArchiveEntry e = entry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR);
        e.setMode(mode);
        pax.forEach(e::addPaxHeader);
        put(e, null);
        return this;
    }

    TarBuilder symlink(String name, String target) {
        TarArchiveEntry e = entry(name, TarConstants.LF_SYMLINK);
        e.setLinkName(target);
        e.setMode(0777);
        put(e, null);
        return this;
    }

    TarBuilder hardlink(String name, String target) {
        return hardlink(name, target, 0644);
    }

    /** A hard link whose header carries {@code mode} (applied to the shared inode, as containers/storage does). */
    TarBuilder hardlink(String name, String target, int mode) {
        TarArchiveEntry e = entry(name, TarConstants.LF_LINK);
        e.setLinkName(target);
        e.setMode(mode);
        put(e, null);
        return this;
    }

    TarBuilder fifo(String name, int mode) {
        TarArchiveEntry e = entry(name, TarConstants.LF_FIFO);
        e.setMode(mode);
        put(e, null);
        return this;
    }

    TarBuilder charDevice(String name, int major, int minor) {
        TarArchiveEntry e = entry(name, TarConstants.LF_CHR);
        e.setMode(0666);
        e.setDevMajor(major);
        e.setDevMinor(minor);
        put(e, null);
        return this;
    }

    /** An entry of any type flag, without data. */
    TarBuilder raw(String name, byte type) {
        TarArchiveEntry e = entry(name, type);
        e.setMode(0644);
        put(e, null);
        return this;
    }

    private void put(TarArchiveEntry e, byte[] data) {
        try {
            tar.putArchiveEntry(e);
            if (data != null) {
                tar.write(data);
            }
            tar.closeArchiveEntry();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    byte[] build() {
        try {
            tar.finish();
            tar.close();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }
}
