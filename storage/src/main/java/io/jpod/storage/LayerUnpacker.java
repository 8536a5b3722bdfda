package io.jpod.storage;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Streams an uncompressed layer tar into a directory, confined to it, and hashes the stream (the layer's diff_id).
 *
 * <p>Confinement: every entry path is cleaned lexically (a leading "/" is dropped like tar does; a ".." that would climb
 * above the root is refused) and then walked component by component from the root with lstat, never following a final
 * symlink. An intermediate component that is a symlink created earlier by this same layer is resolved inside the root
 * (like securejoin) as long as its target is relative and stays inside; a symlink with an absolute target, or one whose
 * ".." climbs above the root, is refused when an entry tries to go through it. Nothing is ever written, chmod-ed,
 * chown-ed or linked through a symlink, so nothing can land outside the root. Existing paths are replaced like tar does:
 * a file is unlinked and recreated (never written through, which would modify other hard links), a directory is kept
 * only when a directory replaces it.
 *
 * <p>Whiteouts are converted to the format both overlay drivers read, verified by hand as an unprivileged user in a
 * user namespace (kernel 6.x overlay with {@code userxattr}, fuse-overlayfs 1.10): a whiteout is a character device 0:0
 * and an opaque directory carries {@code user.overlay.opaque=y}. Kernel overlay ignores {@code .wh.*} files, so they
 * cannot be kept as is; fuse-overlayfs honours both forms. When mknod of 0:0 or the user xattr is refused (not root, or a
 * file system without user xattrs), the {@code .wh.} marker file is kept instead, which fuse-overlayfs and the vfs
 * driver still read; {@link Result#whiteoutFallback()} says so.
 *
 * <p>Directory modes, owners and times are applied after the whole stream is unpacked (deepest first), so read-only
 * directories can still be filled and times are not disturbed by later entries. Device nodes cannot be created rootless
 * and are skipped with one warning. Of the PAX xattrs only {@code user.*} are kept (and never the overlay drivers' own
 * {@code user.overlay.*}/{@code user.fuseoverlayfs.*}, which would let a layer inject overlay metadata).
 *
 * <p>A hard link to an earlier entry of the same layer is a hard link (the target resolved inside the layer as above).
 * A hard link whose target is not in the layer may name a file of a lower layer (images built by some tools have
 * them; podman and Docker accept them): it becomes an empty placeholder, listed in {@link Result#lowerLinks()}, and
 * {@link LowerLinks} gives it its own copy of the target at commit, when the lower layers are known. The owner, mode
 * and times of a hard link's header are applied to the (shared) inode, as containers/storage does.
 *
 * <p>When the layer has no entry for its root directory, the root gets mode 0555 (containers/storage's default for a
 * new layer); {@link LayerStore} then gives it the parent layer's root owner and mode on commit, as containers/storage
 * does, so "/" in the merged view is the same as podman's.
 */
public final class LayerUnpacker {
    public static final String WHITEOUT_PREFIX = ".wh.";
    public static final String OPAQUE_MARKER = ".wh..wh..opq";
    /** The xattr kernel overlay (with userxattr) and fuse-overlayfs both read for opaque directories. */
    public static final String OPAQUE_XATTR = "user.overlay.opaque";
    private static final int MAX_SYMLINKS = 40;
    private static final String XATTR_PAX_PREFIX = "SCHILY.xattr.";
    private static final Set<OpenOption> CREATE_NEW = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS);

    /** What was unpacked: diff_id ("sha256:hex" of every byte read), byte count, and whether .wh. fallbacks were kept. */
    public record Result(String diffId, long size, boolean whiteoutFallback, boolean rootEntry, List<LowerLink> lowerLinks) {
        public Result {
            lowerLinks = List.copyOf(lowerLinks);
        }

        public Result(String diffId, long size, boolean whiteoutFallback) {
            this(diffId, size, whiteoutFallback, false, List.of());
        }
    }

    /**
     * A hard link whose target is not in this layer: an empty placeholder file stands at {@code path} (its inode
     * {@code fileKey}) until {@link LowerLinks} fills it, at commit, from the target as the lower layers make it.
     * The header's owner, mode and times are applied then.
     */
    public record LowerLink(String entryName, String linkName, List<String> path, List<String> target, long uid, long gid,
                            int mode, FileTime mtime, FileTime atime, Object fileKey) {
        public LowerLink {
            path = List.copyOf(path);
            target = List.copyOf(target);
        }
    }

    private final PrintStream warnings;
    private final Boolean strictOwnership;
    /**
     * Copy buffer for file contents. Measured with UnpackBufferBench (storage tests; results in bench/RESULTS.md): 8 KiB
     * costs measurably more system time on many-MiB files, and beyond 64 KiB nothing improves any more.
     */
    static final int DEFAULT_BUFFER = 64 * 1024;
    int bufferSize = DEFAULT_BUFFER;

    /** @param warnings where one-line warnings go (skipped device nodes, dropped ownership); may be null */
    public LayerUnpacker(PrintStream warnings) {
        this(warnings, null);
    }

    /** @param strictOwnership null: strict iff running as uid 0 (see {@link Ownership}) */
    LayerUnpacker(PrintStream warnings, Boolean strictOwnership) {
        this.warnings = warnings;
        this.strictOwnership = strictOwnership;
    }

    /**
     * Unpacks {@code uncompressedTar} into {@code root} (an existing directory, normally empty) and reads the stream to
     * its end, also past the tar end marker, so the digest covers every byte.
     *
     * @throws IOException reading {@code uncompressedTar} failed (the source's own exception)
     * @throws StorageException the archive is invalid or hostile, or writing the files failed
     */
    public Result unpack(InputStream uncompressedTar, Path root) throws IOException {
        HashingInputStream source = new HashingInputStream(uncompressedTar);
        Run run = new Run(root.toAbsolutePath(), strictOwnership == null ? new Ownership(warnings)
                : new Ownership(strictOwnership, warnings));
        // the limiter refuses huge PAX/long-name headers before commons-compress would buffer them whole
        TarArchiveInputStream tar = new TarArchiveInputStream(new TarHeaderLimiter(source), StandardCharsets.UTF_8.name());
        try {
            TarArchiveEntry entry;
            while ((entry = nextEntry(tar, source)) != null) {
                run.entry(entry, tar, source);
            }
            source.drain();
        } catch (IOException e) {
            if (source.failure != null) {
                throw source.failure;
            }
            throw new StorageException("the layer is not a valid tar archive (" + Fs.describe(e) + "); the image is corrupt", e);
        }
        try {
            run.finish();
        } catch (IOException e) {
            if (source.failure != null) {
                throw source.failure;
            }
            throw new StorageException("cannot finish unpacking the layer: " + Fs.describe(e) + "; check the storage directory", e);
        }
        return new Result("sha256:" + HexFormat.of().formatHex(source.digest.digest()), source.count, run.whiteoutFallback,
                run.dirs.containsKey(""), run.lowerLinks);
    }

    private static TarArchiveEntry nextEntry(TarArchiveInputStream tar, HashingInputStream source) throws IOException {
        try {
            return tar.getNextEntry();
        } catch (IOException | StorageException e) {
            throw e;
        } catch (RuntimeException e) {
            // commons-compress reports some malformed headers as unchecked exceptions
            if (source.failure != null) {
                throw source.failure;
            }
            throw new StorageException("the layer is not a valid tar archive (" + Fs.describe(e) + "); the image is corrupt", e);
        }
    }

    /**
     * Regular file types only: commons-compress's isFile() is true for every type it does not know (GNU volume labels,
     * multi-volume continuations...), which must not turn into files.
     */
    private static boolean isRegular(TarArchiveEntry e) {
        byte f = e.getLinkFlag();
        return f == TarConstants.LF_NORMAL || f == TarConstants.LF_OLDNORM || f == TarConstants.LF_CONTIG
                || f == TarConstants.LF_GNUTYPE_SPARSE;
    }

    /** Lexically cleaned path components of an entry name; a ".." above the root is refused. */
    static List<String> clean(String name, String entryName, String what) {
        if (name.indexOf('\0') >= 0) {
            throw refuse(entryName, what + " contains a NUL byte");
        }
        List<String> out = new ArrayList<>();
        for (String c : name.split("/")) {
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                if (out.isEmpty()) {
                    throw refuse(entryName, what + (what.equals("path") ? "" : " " + Fs.quote(name)) + " leaves the layer root");
                }
                out.remove(out.size() - 1);
            } else {
                out.add(c);
            }
        }
        return out;
    }

    static StorageException refuse(String entryName, String reason) {
        return new StorageException("layer entry " + Fs.quote(entryName) + ": " + reason + "; the image is corrupt or hostile");
    }

    /** State of one unpack. */
    private final class Run {
        private final Path root;
        private final Ownership ownership;
        private final Map<String, DirMeta> dirs = new LinkedHashMap<>();
        private final List<LowerLink> lowerLinks = new ArrayList<>();
        private final byte[] buffer = new byte[bufferSize];
        private boolean whiteoutFallback;
        private int devices;
        private String firstDevice;
        private int unknown;
        private String firstUnknown;
        private boolean xattrWarned;
        /**
         * Directories known to be real (created or checked by this run, no symlink on the way), by their path from the
         * root ("a/b"), so an entry's parents are not looked up again for every file. Whatever replaces a path drops it
         * and everything below it ({@link #forget}); only this run writes into its staging directory.
         */
        private final TreeMap<String, Resolved> realDirs = new TreeMap<>();
        /** What a new file gets unasked (owner, umask); null when unknown, and then every entry gets chown and chmod. */
        private final Creation creation;
        private final Resolved rootDir;

        Run(Path root, Ownership ownership) {
            this.root = root;
            this.ownership = ownership;
            this.creation = Creation.probe(root);
            this.rootDir = new Resolved(List.of(), root, "");
        }

        void entry(TarArchiveEntry e, TarArchiveInputStream tar, HashingInputStream source) throws IOException {
            String name = e.getName();
            try {
                List<String> comps = clean(name, name, "path");
                String base = comps.isEmpty() ? "" : comps.get(comps.size() - 1);
                if (base.startsWith(WHITEOUT_PREFIX)) {
                    whiteout(e, comps, base);
                } else if (e.isDirectory()) {
                    directory(e, comps);
                } else if (comps.isEmpty()) {
                    throw refuse(name, "a non-directory cannot replace the layer root");
                } else if (e.isSymbolicLink()) {
                    symlink(e, comps);
                } else if (e.isLink()) {
                    hardlink(e, comps);
                } else if (e.isCharacterDevice() && e.getDevMajor() == 0 && e.getDevMinor() == 0) {
                    // a tar made from an overlay upper dir carries whiteouts in this form already
                    makeWhiteout(dir(comps.subList(0, comps.size() - 1), true, name), base, name);
                } else if (e.isCharacterDevice() || e.isBlockDevice()) {
                    if (devices++ == 0) {
                        firstDevice = name;
                    }
                } else if (e.isFIFO()) {
                    fifo(e, comps);
                } else if (isRegular(e)) {
                    regular(e, comps, tar);
                } else {
                    if (unknown++ == 0) {
                        firstUnknown = name;
                    }
                }
            } catch (InvalidPathException ex) {
                String enc = System.getProperty("sun.jnu.encoding", "");
                if (!enc.equalsIgnoreCase("UTF-8") && !name.chars().allMatch(c -> c < 0x80)) {
                    // the JVM maps file names through the locale's charset, fixed at start-up
                    throw new StorageException("layer entry " + Fs.quote(name) + ": the name cannot be represented in"
                            + " the file name encoding " + enc + " of this locale; run jpod with a UTF-8 locale, e.g. LC_ALL=C.UTF-8");
                }
                throw refuse(name, "the name is not a valid file name here (" + Fs.oneLine(ex.getMessage()) + ")");
            } catch (IOException ex) {
                if (source.failure != null) {
                    throw source.failure;
                }
                if (ex instanceof BadArchive) {
                    throw new StorageException("the layer is not a valid tar archive (" + Fs.describe(ex.getCause())
                            + " in entry " + Fs.quote(name) + "); the image is corrupt", ex);
                }
                throw new StorageException("layer entry " + Fs.quote(name) + ": " + Fs.describe(ex)
                        + "; check free space and permissions of the storage directory", ex);
            }
        }

        // ---- entry kinds

        /**
         * Created with O_CREAT|O_EXCL|O_NOFOLLOW and the entry's permission bits, so the common file (new name, the
         * creator's owner, no bits the umask removes) needs no lookup before and no chown or chmod after: open, write,
         * close and utimensat. Whatever already has the name (never followed: O_EXCL refuses a symlink too) is removed
         * and the file created again, as tar does.
         */
        private void regular(TarArchiveEntry e, List<String> comps, TarArchiveInputStream tar) throws IOException {
            String name = e.getName();
            Resolved parent = dir(comps.subList(0, comps.size() - 1), true, name);
            String base = comps.get(comps.size() - 1);
            Path path = parent.path.resolve(base);
            dropMarker(parent, base);
            int createMode = e.getMode() & 0777;
            SeekableByteChannel out;
            try {
                out = Files.newByteChannel(path, CREATE_NEW, Permissions.of(createMode));
            } catch (FileAlreadyExistsException ex) {
                remove(parent, base);
                out = Files.newByteChannel(path, CREATE_NEW, Permissions.of(createMode));
            }
            try (SeekableByteChannel ch = out) {
                ByteBuffer wrapped = ByteBuffer.wrap(buffer);
                while (true) {
                    int n;
                    try {
                        n = tar.read(buffer);
                    } catch (IOException ex) {
                        throw new BadArchive(ex);
                    }
                    if (n == -1) {
                        break;
                    }
                    wrapped.clear().limit(n);
                    while (wrapped.hasRemaining()) {
                        ch.write(wrapped);
                    }
                }
            }
            xattrs(path, e);
            metadata(path, e, true, false, createMode);
        }

        private void directory(TarArchiveEntry e, List<String> comps) throws IOException {
            String name = e.getName();
            Resolved made = rootDir;
            if (!comps.isEmpty()) {
                Resolved parent = dir(comps.subList(0, comps.size() - 1), true, name);
                String base = comps.get(comps.size() - 1);
                String key = key(parent, base);
                made = realDirs.get(key);
                if (made == null) {
                    Path path = parent.path.resolve(base);
                    try {
                        Files.createDirectory(path);
                    } catch (FileAlreadyExistsException ex) {
                        BasicFileAttributes st = Fs.lstat(path);
                        if (st == null || !st.isDirectory()) {
                            remove(parent, base);
                            Files.createDirectory(path);
                        }
                    }
                    List<String> real = new ArrayList<>(parent.comps);
                    real.add(base);
                    made = new Resolved(List.copyOf(real), path, key);
                    realDirs.put(key, made);
                }
                dropMarker(parent, base);
            }
            xattrs(made.path, e);
            dirs.put(made.key, new DirMeta(made.comps, e.getLongUserId(), e.getLongGroupId(), e.getMode(),
                    e.getLastModifiedTime(), e.getLastAccessTime(), name));
        }

        private void symlink(TarArchiveEntry e, List<String> comps) throws IOException {
            String name = e.getName();
            String target = e.getLinkName();
            if (target == null || target.isEmpty()) {
                throw refuse(name, "symlink with an empty target");
            }
            if (target.indexOf('\0') >= 0) {
                throw refuse(name, "symlink target contains a NUL byte");
            }
            Path path = prepare(comps, name);
            // the target is stored as is; it is only ever interpreted inside the container (or by our confined walk)
            Files.createSymbolicLink(path, path.getFileSystem().getPath(target));
            chown(path, e, true);
            Native.setTimes(path, e.getLastModifiedTime(), e.getLastAccessTime(), false); // best effort
        }

        private void hardlink(TarArchiveEntry e, List<String> comps) throws IOException {
            String name = e.getName();
            String linkName = e.getLinkName() == null ? "" : e.getLinkName();
            List<String> target = clean(linkName, name, "hardlink target");
            if (target.isEmpty()) {
                throw refuse(name, "hardlink to the layer root");
            }
            Resolved tparent;
            try {
                tparent = dir(target.subList(0, target.size() - 1), false, name);
            } catch (NotFound nf) {
                deferToLowerLayers(e, comps, target);
                return;
            }
            Path targetPath = tparent.path.resolve(target.get(target.size() - 1));
            BasicFileAttributes tst = Fs.lstat(targetPath);
            if (tst == null) {
                deferToLowerLayers(e, comps, target);
                return;
            }
            if (tst.isDirectory()) {
                throw refuse(name, "hardlink to a directory " + Fs.quote(linkName));
            }
            Resolved parent = dir(comps.subList(0, comps.size() - 1), true, name);
            String base = comps.get(comps.size() - 1);
            Path path = parent.path.resolve(base);
            if (path.equals(targetPath)) {
                return; // a link to itself: the file is already there
            }
            BasicFileAttributes st = Fs.lstat(path);
            if (st != null) {
                remove(parent, base);
            }
            dropMarker(parent, base);
            Files.createLink(path, targetPath);
            // the link header's owner, mode and times apply to the shared inode, as containers/storage and Docker do
            if (!tst.isSymbolicLink()) {
                metadata(path, e, true, tst.isOther(), -1);
            }
        }

        /**
         * The target is not in this layer: it may be a file of a lower layer, which is not known here (layers are
         * unpacked in parallel, and a layer can sit on different parents). An empty placeholder takes the link's
         * place, so later entries of this layer can replace it or link to it as tar says; the commit fills it.
         */
        private void deferToLowerLayers(TarArchiveEntry e, List<String> comps, List<String> target) throws IOException {
            Path path = prepare(comps, e.getName());
            Files.createFile(path);
            Object key = Files.readAttributes(path, BasicFileAttributes.class, Fs.NOFOLLOW).fileKey();
            lowerLinks.add(new LowerLink(e.getName(), e.getLinkName(), comps, target, e.getLongUserId(), e.getLongGroupId(),
                    e.getMode(), e.getLastModifiedTime(), e.getLastAccessTime(), key));
        }

        private void fifo(TarArchiveEntry e, List<String> comps) throws IOException {
            Path path = prepare(comps, e.getName());
            int err = Native.mkfifo(path.toString(), 0600);
            if (err != 0) {
                throw new StorageException("layer entry " + Fs.quote(e.getName()) + ": cannot create FIFO: "
                        + Native.strerror(err) + "; check the storage directory");
            }
            metadata(path, e, true, true, -1);
        }

        private void whiteout(TarArchiveEntry e, List<String> comps, String base) throws IOException {
            String name = e.getName();
            Resolved parent = dir(comps.subList(0, comps.size() - 1), true, name);
            if (base.equals(OPAQUE_MARKER)) {
                makeOpaque(parent.path);
                return;
            }
            if (base.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX)) {
                return; // aufs bookkeeping (.wh..wh.plnk etc.), meaningless here, as Docker does
            }
            String hidden = base.substring(WHITEOUT_PREFIX.length());
            if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..")) {
                throw refuse(name, "whiteout for an invalid name");
            }
            makeWhiteout(parent, hidden, name);
        }

        private void makeWhiteout(Resolved parentDir, String hidden, String name) throws IOException {
            Path parent = parentDir.path;
            Path path = parent.resolve(hidden);
            if (Fs.lstat(path) != null) {
                remove(parentDir, hidden);
            }
            int err = Native.mknodWhiteout(path.toString());
            if (err == 0) {
                return;
            }
            if (err != 1 /* EPERM */ && err != 95 /* EOPNOTSUPP */) {
                throw new StorageException("layer entry " + Fs.quote(name) + ": cannot create whiteout: "
                        + Native.strerror(err) + "; check the storage directory");
            }
            // cannot mknod here (not root): keep the marker fuse-overlayfs and vfs understand
            whiteoutFallback = true;
            Path marker = parent.resolve(WHITEOUT_PREFIX + hidden);
            if (Fs.lstat(marker) != null) {
                remove(parentDir, WHITEOUT_PREFIX + hidden);
            }
            Files.createFile(marker);
        }

        private void makeOpaque(Path dir) throws IOException {
            try {
                UserDefinedFileAttributeView view = Files.getFileAttributeView(dir, UserDefinedFileAttributeView.class, Fs.NOFOLLOW);
                view.write(OPAQUE_XATTR.substring("user.".length()), ByteBuffer.wrap(new byte[] {'y'}));
            } catch (IOException | UnsupportedOperationException e) {
                whiteoutFallback = true;
                Path marker = dir.resolve(OPAQUE_MARKER);
                if (Fs.lstat(marker) == null) {
                    Files.createFile(marker);
                }
            }
        }

        // ---- helpers

        /** Resolves the parent of {@code comps} (creating missing dirs) and removes whatever is at the final name. */
        private Path prepare(List<String> comps, String name) throws IOException {
            Resolved parent = dir(comps.subList(0, comps.size() - 1), true, name);
            String base = comps.get(comps.size() - 1);
            Path path = parent.path.resolve(base);
            if (Fs.lstat(path) != null) {
                remove(parent, base);
            }
            dropMarker(parent, base);
            return path;
        }

        /** A later entry re-creates a name whited out earlier in this layer: its fallback marker must go. */
        private void dropMarker(Resolved parent, String base) throws IOException {
            if (whiteoutFallback) {
                Path marker = parent.path.resolve(WHITEOUT_PREFIX + base);
                if (Fs.lstat(marker) != null) {
                    remove(parent, WHITEOUT_PREFIX + base);
                }
            }
        }

        /** Deletes whatever is at {@code base} in {@code parent} (a tree too) and forgets the directories it held. */
        private void remove(Resolved parent, String base) throws IOException {
            forget(key(parent, base));
            Fs.deleteTree(parent.path.resolve(base));
        }

        /** Drops {@code key} and every directory below it from the known real directories. */
        private void forget(String key) {
            realDirs.remove(key);
            realDirs.subMap(key + "/", key + ('/' + 1)).clear();
        }

        private String key(Resolved parent, String base) {
            return parent.key.isEmpty() ? base : parent.key + "/" + base;
        }

        /**
         * Walks {@code comps} from the root, each of which must be a directory: missing ones are created (or NotFound
         * when !create), symlinks are resolved inside the root (relative targets only, at most 40), anything else is
         * refused.
         */
        private Resolved dir(List<String> comps, boolean create, String name) throws IOException {
            if (comps.isEmpty()) {
                return rootDir;
            }
            Resolved known = realDirs.get(comps.size() == 1 ? comps.get(0) : String.join("/", comps));
            if (known != null) {
                return known;
            }
            Deque<String> pending = new ArrayDeque<>(comps);
            List<String> real = new ArrayList<>();
            String key = "";
            Path cur = root;
            int links = 0;
            String via = null;
            while (!pending.isEmpty()) {
                String c = pending.pollFirst();
                if (c.isEmpty() || c.equals(".")) {
                    continue;
                }
                if (c.equals("..")) {
                    // only reachable through a symlink target; real holds real directories, so popping is physical
                    if (real.isEmpty()) {
                        throw refuse(name, "path goes through symlink " + via + ", which leads outside the layer root");
                    }
                    real.remove(real.size() - 1);
                    key = String.join("/", real);
                    cur = cur.getParent();
                    continue;
                }
                String nextKey = key.isEmpty() ? c : key + "/" + c;
                Resolved seen = realDirs.get(nextKey);
                if (seen != null) {
                    real.add(c);
                    key = nextKey;
                    cur = seen.path;
                    continue;
                }
                Path next = cur.resolve(c);
                BasicFileAttributes st = null;
                if (create) {
                    try {
                        Files.createDirectory(next); // mkdir first: a new directory needs no lookup
                    } catch (FileAlreadyExistsException ex) {
                        st = Fs.lstat(next);
                    }
                } else {
                    st = Fs.lstat(next);
                    if (st == null) {
                        throw new NotFound();
                    }
                }
                if (st == null) {
                    // this call made it
                } else if (st.isSymbolicLink()) {
                    if (++links > MAX_SYMLINKS) {
                        throw refuse(name, "too many levels of symbolic links (a symlink loop?)");
                    }
                    String target = Files.readSymbolicLink(next).toString();
                    String shown = String.join("/", real) + (real.isEmpty() ? "" : "/") + c;
                    via = Fs.quote(shown) + " -> " + Fs.quote(target);
                    if (target.startsWith("/")) {
                        throw refuse(name, "path goes through symlink " + via + ", which points outside the layer root");
                    }
                    String[] parts = target.split("/");
                    for (int i = parts.length - 1; i >= 0; i--) {
                        pending.addFirst(parts[i]);
                    }
                    continue;
                } else if (!st.isDirectory()) {
                    String shown = String.join("/", real) + (real.isEmpty() ? "" : "/") + c;
                    throw refuse(name, "parent " + Fs.quote(shown) + " is not a directory");
                }
                real.add(c);
                key = nextKey;
                cur = next;
                realDirs.put(key, new Resolved(List.copyOf(real), cur, key));
            }
            return real.isEmpty() ? rootDir : new Resolved(List.copyOf(real), cur, key);
        }

        /**
         * chown, then chmod (chown clears setuid/setgid), then times. Never called on symlinks. {@code createdMode}: the
         * permission bits a file was just created with by this run (-1: not a new file), so that a chown or chmod that
         * would change nothing is left out.
         */
        private void metadata(Path path, TarArchiveEntry e, boolean times, boolean fifo, int createdMode) {
            chown(path, e, createdMode >= 0);
            if (!alreadyHasMode(createdMode, e.getMode())) {
                String failure = Native.chmod(path, e.getMode());
                if (failure != null) {
                    throw new StorageException("layer entry " + Fs.quote(e.getName()) + ": cannot set mode "
                            + Integer.toOctalString(e.getMode() & 07777) + ": " + failure + "; check the storage directory");
                }
            }
            if (times && e.getLastModifiedTime() != null) {
                Native.setTimes(path, e.getLastModifiedTime(), e.getLastAccessTime(), fifo);
            }
        }

        /** lchown, unless the entry is new ({@code fresh}) and already has the owner asked for (the creator's). */
        private void chown(Path path, TarArchiveEntry e, boolean fresh) {
            if (!(fresh && creation != null && creation.owns(e.getLongUserId(), e.getLongGroupId()))) {
                ownership.chown(path, e.getLongUserId(), e.getLongGroupId(), "layer entry " + Fs.quote(e.getName()));
            }
        }

        /** Whether an object just created with {@code createdMode} (-1: not just created) has {@code mode}'s 12 bits. */
        private boolean alreadyHasMode(int createdMode, int mode) {
            return createdMode >= 0 && creation != null && (mode & 07777) == (createdMode & 0777 & ~creation.umask());
        }

        /** PAX SCHILY.xattr.user.* onto regular files and directories (opening anything else could block or fail). */
        private void xattrs(Path path, TarArchiveEntry e) {
            Map<String, String> pax = e.getExtraPaxHeaders();
            if (pax.isEmpty()) {
                return;
            }
            for (Map.Entry<String, String> h : pax.entrySet()) {
                if (!h.getKey().startsWith(XATTR_PAX_PREFIX)) {
                    continue;
                }
                String attr = h.getKey().substring(XATTR_PAX_PREFIX.length());
                if (!attr.startsWith("user.") || attr.startsWith("user.overlay.") || attr.startsWith("user.fuseoverlayfs.")
                        || attr.length() <= "user.".length()) {
                    continue;
                }
                try {
                    UserDefinedFileAttributeView view = Files.getFileAttributeView(path, UserDefinedFileAttributeView.class, Fs.NOFOLLOW);
                    view.write(attr.substring("user.".length()), ByteBuffer.wrap(h.getValue().getBytes(StandardCharsets.UTF_8)));
                } catch (IOException | UnsupportedOperationException | IllegalArgumentException ex) {
                    if (!xattrWarned && warnings != null) {
                        xattrWarned = true;
                        warnings.println("warning: could not keep extended attribute " + Fs.quote(attr) + " of layer entry "
                                + Fs.quote(e.getName()) + " (" + Fs.describe(ex) + "); further ones are dropped silently");
                    }
                }
            }
        }

        /** Applies directory metadata, deepest first, re-checking that each path is still a real directory. */
        void finish() throws IOException {
            List<DirMeta> all = new ArrayList<>(dirs.values());
            all.sort(Comparator.comparingInt((DirMeta d) -> d.comps.size()).reversed());
            for (DirMeta d : all) {
                Path path = realDir(d.comps);
                if (path == null) {
                    continue; // replaced by a non-directory later in the stream
                }
                // every directory below the root was made by this run (mode 0777 less the umask) and not changed since
                if (d.comps.isEmpty() || !(creation != null && creation.owns(d.uid, d.gid))) {
                    ownership.chown(path, d.uid, d.gid, "layer entry " + Fs.quote(d.name));
                }
                if (!alreadyHasMode(d.comps.isEmpty() ? -1 : 0777, d.mode)) {
                    String failure = Native.chmod(path, d.mode);
                    if (failure != null) {
                        throw new StorageException("layer entry " + Fs.quote(d.name) + ": cannot set mode: " + failure
                                + "; check the storage directory");
                    }
                }
                if (d.mtime != null) {
                    Native.setTimes(path, d.mtime, d.atime, false);
                }
            }
            if (devices > 0 && warnings != null) {
                warnings.println("warning: skipped " + devices + " device node" + (devices == 1 ? "" : "s") + " in a layer (first "
                        + Fs.quote(firstDevice) + "): rootless containers cannot create device nodes");
            }
            if (unknown > 0 && warnings != null) {
                warnings.println("warning: skipped " + unknown + " layer entr" + (unknown == 1 ? "y" : "ies")
                        + " of an unsupported type (first " + Fs.quote(firstUnknown) + ")");
            }
        }

        /** The path of comps if every component is a real directory (no symlink), else null. */
        private Path realDir(List<String> comps) throws IOException {
            Resolved known = realDirs.get(String.join("/", comps));
            if (known != null || comps.isEmpty()) {
                return known != null ? known.path : root;
            }
            Path cur = root;
            for (String c : comps) {
                cur = cur.resolve(c);
                BasicFileAttributes st = Fs.lstat(cur);
                if (st == null || !st.isDirectory()) {
                    return null;
                }
            }
            return cur;
        }
    }

    /** A real directory: its components from the root, its path, and its key in the known directories ("a/b"). */
    private record Resolved(List<String> comps, Path path, String key) {
    }

    /**
     * What a new file of this run gets without asking (owner; the umask's effect on the mode bits), learnt once per
     * layer from a probe file in the root. Unknown (null) when the root is setgid (new entries would take its group)
     * or the probe failed; then nothing is left out.
     */
    private record Creation(int umask, long uid, long gid) {
        private static final String PROBE = ".jpod-creation-probe";

        boolean owns(long wantedUid, long wantedGid) {
            return wantedUid == uid && wantedGid == gid;
        }

        static Creation probe(Path root) {
            try {
                if (((Integer) Files.getAttribute(root, "unix:mode", Fs.NOFOLLOW) & 02000) != 0) {
                    return null;
                }
                Path probe = root.resolve(PROBE);
                Files.createFile(probe, Permissions.of(0777));
                try {
                    Map<String, Object> st = Files.readAttributes(probe, "unix:mode,uid,gid", Fs.NOFOLLOW);
                    return new Creation(~(Integer) st.get("mode") & 0777, (Integer) st.get("uid") & 0xFFFFFFFFL,
                            (Integer) st.get("gid") & 0xFFFFFFFFL);
                } finally {
                    Files.delete(probe);
                }
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
    }

    /** The permission bits of a mode as the attribute a new file is created with, one per mode. */
    private static final class Permissions {
        private static final FileAttribute<?>[] BY_MODE = new FileAttribute<?>[512];

        static FileAttribute<?> of(int mode) {
            FileAttribute<?> a = BY_MODE[mode & 0777];
            if (a == null) {
                Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
                PosixFilePermission[] order = PosixFilePermission.values(); // OWNER_READ … OTHERS_EXECUTE, high bit first
                for (int i = 0; i < 9; i++) {
                    if ((mode & (0400 >> i)) != 0) {
                        perms.add(order[i]);
                    }
                }
                a = PosixFilePermissions.asFileAttribute(perms);
                BY_MODE[mode & 0777] = a;
            }
            return a;
        }
    }

    private record DirMeta(List<String> comps, long uid, long gid, int mode, FileTime mtime, FileTime atime, String name) {
    }

    /** Reading entry data failed inside the tar reader (truncated or malformed archive). */
    private static final class BadArchive extends IOException {
        BadArchive(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** A hard link target's parent is missing. */
    private static final class NotFound extends IOException {
        NotFound() {
            super(null, null);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /** Hashes and counts every byte read from the source, and remembers the source's own failures. */
    private static final class HashingInputStream extends ReadThroughInputStream {
        final MessageDigest digest;
        long count;
        IOException failure;

        HashingInputStream(InputStream in) {
            super(in);
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = in.read(b, off, len);
            } catch (IOException e) {
                failure = e;
                throw e;
            }
            if (n > 0) {
                digest.update(b, off, n);
                count += n;
            }
            return n;
        }

        @Override
        public void close() {
            // the caller owns the source stream
        }

        void drain() throws IOException {
            byte[] buf = new byte[64 * 1024];
            while (read(buf, 0, buf.length) != -1) {
                // hash the tail (padding after the end marker)
            }
        }
    }
}
