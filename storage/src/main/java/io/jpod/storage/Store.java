package io.jpod.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The on-disk store of one user: layers, images and containers under one root. One instance per jpod command.
 *
 * <p>Locking: {@link #locked} holds an exclusive lock on {@code <root>/storage.lock} (FileChannel.lock, i.e. a POSIX
 * record lock taken with fcntl, not flock(2): anything else that wants to exclude jpod must use fcntl locks too; it is
 * released by the kernel when the process dies, so a crash never leaves the store locked). POSIX locks
 * belong to the process, so threads of one JVM are serialised by an in-process lock per root first; the lock is
 * reentrant within a thread (a nested {@code locked} call just runs). Waiting is bounded (see {@link #LOCK_TIMEOUT}).
 *
 * <p>Staging: each Store stages under {@code tmp/<pid>-<random>/} and holds a shared lock on
 * {@code tmp/<pid>-<random>.lock} for its lifetime. {@link #open} sweeps staging dirs whose lock it can take
 * exclusively, i.e. those of dead processes, so leftovers of crashes disappear and a live process is never disturbed;
 * a JVM that opens the store again and again (the per-user service) sweeps once, then whenever {@code tmp/} changed
 * or held another live process's staging area (see {@link #sweepDue}).
 */
public final class Store implements AutoCloseable {
    /** How long {@link #locked} waits for another jpod process before giving up. */
    static final Duration LOCK_TIMEOUT = Duration.ofMinutes(2);

    private static final ConcurrentHashMap<Path, ReentrantLock> PROCESS_LOCKS = new ConcurrentHashMap<>();
    /** Staging names held by Stores of this JVM: the sweeper must not even open their lock files (POSIX locks die with any close). */
    private static final Set<String> OWN_STAGING = ConcurrentHashMap.newKeySet();

    private final Path root;
    private final ReentrantLock processLock;
    private final LayerStore layers;
    private final ImageStore images;
    private final ContainerStore containers;
    private final PodStore pods;
    private final Object stagingGuard = new Object();
    private Path staging;
    private String stagingName;
    private FileChannel stagingLockChannel;
    private FileLock stagingLock;
    private boolean closed;

    private Store(Path root) {
        this.root = root;
        this.processLock = PROCESS_LOCKS.computeIfAbsent(root, r -> new ReentrantLock());
        this.layers = new LayerStore(this);
        this.images = new ImageStore(this);
        this.containers = new ContainerStore(this);
        this.pods = new PodStore(this);
    }

    /** Opens (creating if needed) the store at {@code root} and removes staging leftovers of dead processes. */
    public static Store open(Path root) {
        Path abs = root.toAbsolutePath().normalize();
        if (!Files.isDirectory(abs)) {
            try {
                Files.createDirectories(abs.getParent());
                Files.createDirectory(abs, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (!Files.isDirectory(abs)) {
                    throw new StorageException("the storage root " + abs + " exists and is not a directory; move it away or pick another --root");
                }
            } catch (IOException e) {
                throw new StorageException("cannot create the storage root " + abs + ": " + Fs.describe(e) + "; check permissions or pick another --root");
            }
        }
        Path real;
        try {
            real = abs.toRealPath();
        } catch (IOException e) {
            throw new StorageException("cannot open the storage root " + abs + ": " + Fs.describe(e));
        }
        for (String d : new String[] {"tmp", "overlay", "overlay/l", "images", "containers"}) {
            Fs.mkdirs(real.resolve(d));
        }
        Store store = new Store(real);
        if (store.sweepDue() && store.sweep()) {
            // a process died with a staging area: it may have died in the middle of an atomic write elsewhere too
            store.sweepTempFiles();
        }
        return store;
    }

    /**
     * What this JVM's last complete sweep of a store's {@code tmp/} saw, when that sweep left nothing of another
     * process behind: {@code tmp/}'s identity and modification time, read before it was listed.
     */
    private record Swept(Object fileKey, java.nio.file.attribute.FileTime modified) {
    }

    private static final ConcurrentHashMap<Path, Swept> SWEPT = new ConcurrentHashMap<>();

    /**
     * Only as old as a coarse kernel clock tick may lag, with a wide margin: a {@code tmp/} modified more recently than
     * this before a sweep started is swept again at the next open.
     */
    private static final long QUIET_NANOS = Duration.ofMillis(100).toNanos();

    /**
     * Whether {@link #open} must sweep {@code tmp/}. Once per JVM and store it always does (so at the service's start);
     * after that only when {@code tmp/} changed since a sweep that left no other process's staging area there. A
     * staging area is made and removed in {@code tmp/} itself (its lock file and directory), so whatever another
     * process staged since — and so whatever a process killed since can have left — changes {@code tmp/}'s mtime; a
     * live staging area seen by the sweep, whose owner may die without touching {@code tmp/}, makes every open sweep
     * until it has gone. Why not every open: the per-user service opens the store for every request, and the
     * sweep's listing and locking were a visible part of a warm `images`. Temp files beside records (an atomic write
     * cut short) are found by the lock byte of {@link #locked} as before, and `system check`.
     */
    boolean sweepDue() {
        Swept last = SWEPT.get(root);
        if (last == null) {
            return true;
        }
        try {
            BasicFileAttributes a = Files.readAttributes(root.resolve("tmp"), BasicFileAttributes.class, Fs.NOFOLLOW);
            return !(last.modified().equals(a.lastModifiedTime()) && java.util.Objects.equals(last.fileKey(), a.fileKey()));
        } catch (IOException e) {
            return true;
        }
    }

    public Path root() {
        return root;
    }

    public LayerStore layers() {
        return layers;
    }

    public ImageStore images() {
        return images;
    }

    public PodStore pods() {
        return pods;
    }

    public ContainerStore containers() {
        return containers;
    }

    /**
     * Runs {@code action} holding the store's exclusive lock (for mutating metadata). Reentrant within a thread.
     * Waits at most {@link #LOCK_TIMEOUT} for other processes.
     */
    public <T> T locked(Supplier<T> action) {
        if (processLock.isHeldByCurrentThread()) {
            return action.get();
        }
        boolean got;
        try {
            got = processLock.tryLock(LOCK_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while waiting for the storage lock " + root.resolve("storage.lock"));
        }
        if (!got) {
            throw lockTimeout();
        }
        try {
            // only one channel on storage.lock per JVM at a time (processLock), so closing it never drops a lock we still need
            try (FileChannel ch = FileChannel.open(root.resolve("storage.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                FileLock lock = acquire(ch);
                try {
                    // One byte in the lock file marks a holder inside its locked section. Found there by the next
                    // holder, it says that one was killed mid-section, perhaps in the middle of an atomic write whose
                    // temp file it left beside the target (no staging area of its own tells, if it had none).
                    if (ch.size() > 0) {
                        sweepTempFiles();
                    }
                    ch.write(java.nio.ByteBuffer.wrap(new byte[] {'1'}), 0);
                    T result = action.get();
                    ch.truncate(0);
                    return result;
                } catch (RuntimeException | Error e) {
                    ch.truncate(0); // a failure is not a crash: nothing was left half-written by it
                    throw e;
                } finally {
                    lock.release();
                }
            } catch (IOException e) {
                throw new StorageException("cannot lock " + root.resolve("storage.lock") + ": " + Fs.describe(e) + "; check the storage directory");
            }
        } finally {
            processLock.unlock();
        }
    }

    private FileLock acquire(FileChannel ch) throws IOException {
        long deadline = System.nanoTime() + LOCK_TIMEOUT.toNanos();
        long pause = 5;
        while (true) {
            FileLock lock = ch.tryLock();
            if (lock != null) {
                return lock;
            }
            if (System.nanoTime() > deadline) {
                throw lockTimeout();
            }
            try {
                // polling, because FileChannel.lock cannot be given a timeout; this is not test synchronisation
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageException("interrupted while waiting for the storage lock " + root.resolve("storage.lock"));
            }
            pause = Math.min(pause * 2, 200);
        }
    }

    private StorageException lockTimeout() {
        return new StorageException("timed out after " + LOCK_TIMEOUT.toSeconds() + " s waiting for the storage lock "
                + root.resolve("storage.lock") + "; another jpod command holds it, wait for it or stop it");
    }

    /**
     * A new empty directory private to this process under {@code tmp/}, on the store's file system (so it can be
     * renamed into place). Swept automatically if the process dies.
     */
    Path newStagingDir(String prefix) {
        Path area = stagingArea();
        for (int i = 0; ; i++) {
            Path dir = area.resolve(prefix + "-" + Fs.randomHex(12));
            try {
                Files.createDirectory(dir);
                return dir;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (i > 10) {
                    throw new StorageException("cannot create a staging directory in " + area);
                }
            } catch (IOException e) {
                throw new StorageException("cannot create a staging directory in " + area + ": " + Fs.describe(e)
                        + "; check free space and permissions");
            }
        }
    }

    /** Deletes a staging (or trash) tree; failures are reported, leftovers are swept by a later open. */
    void discard(Path dir) {
        try {
            Fs.deleteTree(dir);
        } catch (IOException e) {
            throw new StorageException("cannot delete " + dir + ": " + Fs.describe(e) + "; it will be removed by a later jpod command");
        }
    }

    private Path stagingArea() {
        synchronized (stagingGuard) {
            if (closed) {
                throw new IllegalStateException("store closed");
            }
            if (staging != null) {
                return staging;
            }
            Path tmp = root.resolve("tmp");
            for (int attempt = 0; attempt < 10; attempt++) {
                String name = ProcessHandle.current().pid() + "-" + Fs.randomHex(10);
                Path lockFile = tmp.resolve(name + ".lock");
                FileChannel ch = null;
                // registered before the file exists, so a sweeper of this JVM never opens (and, closing, unlocks) it
                OWN_STAGING.add(name);
                try {
                    // lock file first, locked, then the dir: a sweeper never sees our dir without a held lock
                    ch = FileChannel.open(lockFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
                    FileLock lock = ch.lock(0, Long.MAX_VALUE, true);
                    if (!Files.exists(lockFile)) {
                        // a sweeper took it between create and lock (it deletes only while holding it exclusively)
                        lock.release();
                        ch.close();
                        OWN_STAGING.remove(name);
                        continue;
                    }
                    Path dir = tmp.resolve(name);
                    Files.createDirectory(dir);
                    staging = dir;
                    stagingName = name;
                    stagingLockChannel = ch;
                    stagingLock = lock;
                    return dir;
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    closeQuietly(ch);
                    OWN_STAGING.remove(name);
                } catch (IOException e) {
                    closeQuietly(ch);
                    OWN_STAGING.remove(name);
                    throw new StorageException("cannot create a staging area in " + tmp + ": " + Fs.describe(e)
                            + "; check free space and permissions of the storage directory");
                }
            }
            throw new StorageException("cannot create a staging area in " + tmp);
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
    }

    /**
     * Removes staging dirs of dead processes (their lock can be taken exclusively) and dirs without a lock file.
     * Returns whether anything of a dead process was found.
     */
    boolean sweep() {
        Path tmp = root.resolve("tmp");
        boolean found = false;
        // tmp/ as it was before the listing, and whether it was quiet for long enough that any later change shows in
        // its mtime (kernel timestamps come from a clock that may lag by a tick): see sweepDue
        long started = System.currentTimeMillis();
        BasicFileAttributes before;
        try {
            before = Files.readAttributes(tmp, BasicFileAttributes.class, Fs.NOFOLLOW);
        } catch (IOException e) {
            throw new StorageException("cannot read " + tmp + ": " + Fs.describe(e) + "; check the storage directory");
        }
        boolean othersLeft = started * 1_000_000 - before.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS) < QUIET_NANOS;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmp)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.endsWith(".lock")) {
                    String owner = name.substring(0, name.length() - ".lock".length());
                    if (sweepLocked(tmp, owner)) {
                        found = true;
                    } else if (!OWN_STAGING.contains(owner)) {
                        othersLeft = true; // alive, or busy: its owner may die without touching tmp/
                    }
                } else if (!OWN_STAGING.contains(name) && Files.isDirectory(p, Fs.NOFOLLOW)
                        && !Files.exists(tmp.resolve(name + ".lock"), Fs.NOFOLLOW)) {
                    // a staging dir is only ever created after its lock file; without one its owner is gone
                    found = true;
                    try {
                        Fs.deleteTree(p);
                    } catch (IOException | StorageException e) {
                        othersLeft = true; // another sweeper got there first, or it is busy; a later open retries
                    }
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot read " + tmp + ": " + Fs.describe(e) + "; check the storage directory");
        }
        if (othersLeft) {
            SWEPT.remove(root);
        } else {
            SWEPT.put(root, new Swept(before.fileKey(), before.lastModifiedTime()));
        }
        return found;
    }

    /**
     * Deletes the {@code .tmp-*} files an interrupted atomic write ({@link Fs#writeAtomic}, short-link creation) leaves
     * next to its target in {@code images/*}, {@code containers/*}, {@code overlay/*} and {@code overlay/l}. Every such
     * write outside {@code tmp/} happens under the store lock, so holding it here means no live writer is disturbed.
     * Returns the paths removed.
     */
    public List<Path> sweepTempFiles() {
        return locked(() -> {
            List<Path> removed = new ArrayList<>();
            for (String area : new String[] {"images", "containers", "overlay", "pods"}) {
                Path top = root.resolve(area);
                removeTemps(top, removed);
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(top)) {
                    for (Path p : ds) {
                        if (Files.isDirectory(p, Fs.NOFOLLOW)) {
                            removeTemps(p, removed);
                        }
                    }
                } catch (IOException e) {
                    // unreadable area: `jpod system check` reports it
                }
            }
            return removed;
        });
    }

    private static void removeTemps(Path dir, List<Path> removed) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, ".tmp-*")) {
            for (Path p : ds) {
                if (!Files.isDirectory(p, Fs.NOFOLLOW)) {
                    try {
                        Files.deleteIfExists(p);
                        removed.add(p);
                    } catch (IOException e) {
                        // left for the next sweep
                    }
                }
            }
        } catch (IOException e) {
            // not a directory we can read: nothing to sweep
        }
    }

    /** Whether another live process (another jpod command) holds a staging area in this store now. */
    public boolean othersActive() {
        Path tmp = root.resolve("tmp");
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmp, "*.lock")) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                name = name.substring(0, name.length() - ".lock".length());
                if (OWN_STAGING.contains(name)) {
                    continue;
                }
                try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                    FileLock lock = ch.tryLock();
                    if (lock == null) {
                        return true;
                    }
                    lock.release();
                } catch (OverlappingFileLockException e) {
                    return true;
                } catch (IOException e) {
                    // vanished meanwhile
                }
            }
        } catch (IOException e) {
            return true; // cannot tell: assume someone is there
        }
        return false;
    }

    private boolean sweepLocked(Path tmp, String name) {
        if (OWN_STAGING.contains(name)) {
            return false;
        }
        Path lockFile = tmp.resolve(name + ".lock");
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                return false;
            }
            if (lock == null) {
                return false; // alive
            }
            try {
                Fs.deleteTree(tmp.resolve(name));
                Files.deleteIfExists(lockFile);
            } finally {
                lock.release();
            }
            return true;
        } catch (NoSuchFileException e) {
            // swept concurrently
        } catch (IOException | StorageException e) {
            // cannot sweep now (busy, mounted, permissions); a later open retries
        }
        return false;
    }

    /** Releases this process's staging area and deletes what is left in it (uncommitted layers). */
    @Override
    public void close() {
        synchronized (stagingGuard) {
            if (closed) {
                return;
            }
            closed = true;
            if (staging == null) {
                return;
            }
            try {
                Fs.deleteTree(staging);
                Files.deleteIfExists(root.resolve("tmp").resolve(stagingName + ".lock"));
            } catch (IOException | StorageException e) {
                // the next open sweeps it
            } finally {
                try {
                    stagingLock.release();
                } catch (IOException e) {
                    // closing the channel releases it too
                }
                closeQuietly(stagingLockChannel);
                OWN_STAGING.remove(stagingName);
            }
        }
    }
}
