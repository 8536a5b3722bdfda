package io.jpod.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;

/**
 * The named files of an image layout, wherever they are: the entries of a tarball (oci-archive) or the files of a
 * directory (oci-dir, docker-dir). The loaders read only through this, so a directory gets exactly the verification
 * an archive gets.
 */
interface ArchiveSource {
    /** How errors name the source (the path the user gave). */
    String shown();

    /** "archive" or "directory", for messages such as "the archive is corrupt". */
    String kind();

    /** The file a blob is kept in: {@code blobs/sha256/<hex>} in an OCI layout, {@code <hex>} in a docker-dir. */
    String blobName(String digest);

    /** Whether {@code name} is a regular file of the source. */
    boolean has(String name);

    /** The size of {@code name}, which {@link #has} it. */
    long size(String name) throws IOException;

    /** The content of {@code name}, which {@link #has} it. */
    InputStream open(String name) throws IOException;

    static ArchiveSource tar(TarFile tar, Map<String, TarArchiveEntry> entries, String shown) {
        return new Tar(tar, entries, shown);
    }

    /** A directory; blobs under {@code blobs/sha256/} when {@code ociLayout}, else at its top (docker-dir). */
    static ArchiveSource directory(Path dir, boolean ociLayout) {
        return new Directory(dir, ociLayout);
    }

    record Tar(TarFile tar, Map<String, TarArchiveEntry> entries, String shown) implements ArchiveSource {
        @Override
        public String kind() {
            return "archive";
        }

        @Override
        public String blobName(String digest) {
            return "blobs/sha256/" + Digests.hex(digest);
        }

        @Override
        public boolean has(String name) {
            return entries.containsKey(name);
        }

        @Override
        public long size(String name) {
            return entries.get(name).getSize();
        }

        @Override
        public InputStream open(String name) throws IOException {
            return tar.getInputStream(entries.get(name));
        }
    }

    /**
     * Names are only ever the fixed layout files and sha256 hex digests (checked before a blob is looked up), so none
     * can leave the directory. Symbolic links are not followed: no layout writer makes one, and one could point anywhere.
     */
    record Directory(Path dir, boolean ociLayout) implements ArchiveSource {
        @Override
        public String shown() {
            return dir.toString();
        }

        @Override
        public String kind() {
            return "directory";
        }

        @Override
        public String blobName(String digest) {
            return ociLayout ? "blobs/sha256/" + Digests.hex(digest) : Digests.hex(digest);
        }

        @Override
        public boolean has(String name) {
            return Files.isRegularFile(dir.resolve(name), LinkOption.NOFOLLOW_LINKS);
        }

        @Override
        public long size(String name) throws IOException {
            return Files.readAttributes(dir.resolve(name), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).size();
        }

        @Override
        public InputStream open(String name) throws IOException {
            return Files.newInputStream(dir.resolve(name), LinkOption.NOFOLLOW_LINKS);
        }
    }
}
