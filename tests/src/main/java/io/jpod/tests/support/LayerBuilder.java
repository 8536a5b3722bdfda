package io.jpod.tests.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Builds one image layer as an uncompressed tar in memory. Entries are written parents first in path order with a
 * fixed mtime and numeric owners only, so the same calls always give the same bytes (and so the same diff_id).
 * Missing parent directories are added as root-owned 0755 directories.
 */
public final class LayerBuilder {

    /** Fixed mtime of every entry: keeps layer digests, and so image ids, stable across builds. */
    public static final Instant MTIME = Instant.parse("2024-01-01T00:00:00Z");

    private enum Kind { DIR, FILE, SYMLINK, HARDLINK, FIFO }

    private record Entry(Kind kind, int mode, int uid, int gid, byte[] content, String target) {}

    private final Map<String, Entry> entries = new TreeMap<>();

    public LayerBuilder dir(String path, int mode) {
        return dir(path, mode, 0, 0);
    }

    public LayerBuilder dir(String path, int mode, int uid, int gid) {
        entries.put(normalise(path), new Entry(Kind.DIR, mode, uid, gid, null, null));
        return this;
    }

    public LayerBuilder file(String path, String content) {
        return file(path, content.getBytes(StandardCharsets.UTF_8), 0644);
    }

    public LayerBuilder file(String path, byte[] content, int mode) {
        return file(path, content, mode, 0, 0);
    }

    public LayerBuilder file(String path, byte[] content, int mode, int uid, int gid) {
        entries.put(normalise(path), new Entry(Kind.FILE, mode, uid, gid, content.clone(), null));
        return this;
    }

    /** A symlink at {@code path} whose content is {@code target} verbatim (relative or absolute). */
    public LayerBuilder symlink(String path, String target) {
        entries.put(normalise(path), new Entry(Kind.SYMLINK, 0777, 0, 0, null, target));
        return this;
    }

    /** A hard link at {@code path} to the earlier entry {@code targetPath} (layer-relative). */
    public LayerBuilder hardlink(String path, String targetPath) {
        entries.put(normalise(path), new Entry(Kind.HARDLINK, 0644, 0, 0, null, normalise(targetPath)));
        return this;
    }

    /** A named pipe. */
    public LayerBuilder fifo(String path, int mode, int uid, int gid) {
        entries.put(normalise(path), new Entry(Kind.FIFO, mode, uid, gid, null, null));
        return this;
    }

    /** An OCI whiteout: deletes {@code path} of the layers below. */
    public LayerBuilder whiteout(String path) {
        String p = normalise(path);
        int slash = p.lastIndexOf('/');
        String wh = slash < 0 ? ".wh." + p : p.substring(0, slash + 1) + ".wh." + p.substring(slash + 1);
        return file(wh, new byte[0], 0644);
    }

    /** An OCI opaque-directory marker: hides everything below {@code dir} in the layers below. */
    public LayerBuilder opaque(String dir) {
        return file(normalise(dir) + "/.wh..wh..opq", new byte[0], 0644);
    }

    /** An independent builder with the same entries (entries are immutable, so sharing them is safe). */
    public LayerBuilder copy() {
        LayerBuilder c = new LayerBuilder();
        c.entries.putAll(entries);
        return c;
    }

    public boolean contains(String path) {
        return entries.containsKey(normalise(path));
    }

    /** The layer as an uncompressed tar (POSIX/PAX headers where ustar is not enough). */
    public byte[] tar() {
        Map<String, Entry> all = new TreeMap<>(entries);
        for (String path : entries.keySet()) {
            for (int i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
                all.putIfAbsent(path.substring(0, i), new Entry(Kind.DIR, 0755, 0, 0, null, null));
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, "UTF-8")) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            tar.setAddPaxHeadersForNonAsciiNames(true);
            for (Map.Entry<String, Entry> e : all.entrySet()) {
                Entry en = e.getValue();
                TarArchiveEntry te = switch (en.kind()) {
                    case DIR -> new TarArchiveEntry(e.getKey() + "/", TarConstants.LF_DIR);
                    case FILE -> new TarArchiveEntry(e.getKey(), TarConstants.LF_NORMAL);
                    case SYMLINK -> new TarArchiveEntry(e.getKey(), TarConstants.LF_SYMLINK);
                    case HARDLINK -> new TarArchiveEntry(e.getKey(), TarConstants.LF_LINK);
                    case FIFO -> new TarArchiveEntry(e.getKey(), TarConstants.LF_FIFO);
                };
                te.setMode(en.mode() & 07777);
                te.setIds(en.uid(), en.gid());
                te.setUserName("");
                te.setGroupName("");
                te.setModTime(FileTime.from(MTIME));
                if (en.target() != null) {
                    te.setLinkName(en.target());
                }
                if (en.kind() == Kind.FILE) {
                    te.setSize(en.content().length);
                }
                tar.putArchiveEntry(te);
                if (en.kind() == Kind.FILE) {
                    tar.write(en.content());
                }
                tar.closeArchiveEntry();
            }
            tar.finish();
        } catch (IOException e) {
            throw new UncheckedIOException("writing an in-memory tar cannot fail", e);
        }
        return bytes.toByteArray();
    }

    /** Gzip of {@code tar}; java.util.zip writes a fixed header (mtime 0), so the output is deterministic. */
    public static byte[] gzip(byte[] tar) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(tar.length / 2 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(tar);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** zstd of {@code tar} (level 3, single-threaded: deterministic for the same input). */
    public static byte[] zstd(byte[] tar) {
        return com.github.luben.zstd.Zstd.compress(tar, 3);
    }

    public List<String> paths() {
        return new ArrayList<>(entries.keySet());
    }

    private static String normalise(String path) {
        String p = path;
        while (p.startsWith("/") || p.startsWith("./")) {
            p = p.startsWith("/") ? p.substring(1) : p.substring(2);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.isEmpty() || p.equals(".") || p.contains("//") || List.of(p.split("/")).contains("..")) {
            throw new IllegalArgumentException("not a layer path: '" + path + "'");
        }
        return p;
    }
}
