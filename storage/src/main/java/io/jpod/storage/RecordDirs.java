package io.jpod.storage;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * The record directories ContainerStore and PodStore share: {@code <root>/<kind>s/<64-hex id>/<kind>.json}, listed by
 * scanning (unreadable records, or ones whose id is not their directory's name, are skipped), found by id, name or
 * id prefix, created by assembling the directory in staging and renaming it into place, and removed by renaming it
 * into staging. Callers hold the store lock where they change anything. Names have one form for both kinds.
 */
final class RecordDirs<R> {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,253}");

    private final Store store;
    private final String kind;
    private final Class<R> type;
    private final Function<R, String> id;
    private final Function<R, String> name;
    private final Function<R, Instant> created;
    private final UnaryOperator<R> normalise;
    private final boolean createParent;

    /**
     * {@code normalise} makes a record as read safe to hand out and share (immutable; or null if it is not a record); {@code createParent}:
     * the parent directory is made on first use (Store makes the older areas up front).
     */
    RecordDirs(Store store, String kind, Class<R> type, Function<R, String> id, Function<R, String> name,
               Function<R, Instant> created, UnaryOperator<R> normalise, boolean createParent) {
        this.store = store;
        this.kind = kind;
        this.type = type;
        this.id = id;
        this.name = name;
        this.created = created;
        this.normalise = normalise;
        this.createParent = createParent;
    }

    /** Whether {@code name} has the form a container's or pod's name must have. */
    static boolean validName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** Refuses a name of the wrong form, naming the kind and the form. */
    void checkName(String recordName) {
        if (!validName(recordName)) {
            throw new StorageException("invalid " + kind + " name " + Fs.quote(String.valueOf(recordName))
                    + ": use letters, digits, '_', '.' and '-', starting with a letter or digit");
        }
    }

    /** The record other than {@code selfId}'s (null: any) that has {@code recordName}; call under the store lock. */
    Optional<R> named(String recordName, String selfId) {
        return scan().stream().filter(r -> recordName.equals(name.apply(r)) && !id.apply(r).equals(selfId)).findFirst();
    }

    /** {@code <root>/<kind>s}. */
    Path parent() {
        Path p = store.root().resolve(kind + "s");
        return createParent ? Fs.mkdirs(p) : p;
    }

    /** {@code <root>/<kind>s/<id>/}. */
    Path dir(String recordId) {
        return parent().resolve(Ids.containerId(recordId));
    }

    /**
     * The record in {@code dir}, or null if there is none that reads cleanly. Parsed once per content of the file
     * ({@link Json#readCached}: a `ps` or `inspect` in the service reads records mostly unchanged since the last
     * request), so {@code normalise} must make it immutable.
     */
    R read(Path dir) {
        String dirName = dir.getFileName().toString();
        try {
            return Json.readCached(dir.resolve(kind + ".json"), type, r -> {
                if (r == null || id.apply(r) == null || !id.apply(r).equals(dirName) || name.apply(r) == null) {
                    return null;
                }
                return normalise.apply(r);
            });
        } catch (StorageException | NullPointerException e) {
            return null;
        }
    }

    /** Writes the record in place (atomically); IOException is the caller's to word. */
    void write(Path dir, R record) throws IOException {
        Fs.writeAtomic(dir.resolve(kind + ".json"), Json.bytes(record));
    }

    /**
     * {@link #write} in two steps, so that a lock need be held only for the second: the record, fsynced, in a staging
     * directory of this process (nothing beside the target exists outside the lock: sweeps and checks see no live
     * temp file); then {@link #publish} renames it into place. {@link #discardPrepared} afterwards, published or not.
     */
    Path prepare(R record) throws IOException {
        return Fs.writeTemp(store.newStagingDir(kind).resolve(kind + ".json"), Json.bytes(record));
    }

    void publish(Path prepared, Path dir) throws IOException {
        Fs.publish(prepared, dir.resolve(kind + ".json"));
    }

    void discardPrepared(Path prepared) {
        store.discard(prepared.getParent());
    }

    /** Every record, in directory order. */
    List<R> scan() {
        List<R> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent())) {
            for (Path p : ds) {
                if (Ids.isHex(p.getFileName().toString(), 64, 64)) {
                    R r = read(p);
                    if (r != null) {
                        out.add(r);
                    }
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot list " + parent() + ": " + Fs.describe(e) + "; check the storage directory");
        }
        return out;
    }

    /** By full id, exact name, or unique id prefix (in that order). An ambiguous prefix → StorageException. */
    Optional<R> find(String idOrName) {
        if (idOrName == null || idOrName.isEmpty()) {
            return Optional.empty();
        }
        if (Ids.isHex(idOrName, 64, 64)) {
            R r = read(parent().resolve(idOrName));
            if (r != null) {
                return Optional.of(r);
            }
        }
        List<R> all = scan();
        for (R r : all) {
            if (idOrName.equals(name.apply(r))) {
                return Optional.of(r);
            }
        }
        if (Ids.isHex(idOrName, 1, 63)) {
            List<R> hits = all.stream().filter(r -> id.apply(r).startsWith(idOrName)).toList();
            if (hits.size() > 1) {
                throw new StorageException(kind + " id prefix " + Fs.quote(idOrName) + " is ambiguous: it matches "
                        + hits.size() + " " + kind + "s; give more digits of the id or use the name");
            }
            if (hits.size() == 1) {
                return Optional.of(hits.get(0));
            }
        }
        return Optional.empty();
    }

    /** All records, newest first (ties by id). */
    List<R> newestFirst() {
        List<R> all = new ArrayList<>(scan());
        all.sort(Comparator.comparing((R r) -> created.apply(r) == null ? Instant.EPOCH : created.apply(r)).reversed()
                .thenComparing(id));
        return all;
    }

    /**
     * Call under the lock: assembles {@code <id>/} with {@code subdirs} and the record in staging and renames it into
     * place. {@code what} names the record in the error ("pod web", "container 0123456789ab").
     */
    void install(R record, List<String> subdirs, String what) {
        Path staged = stage(record, subdirs, what);
        try {
            installStaged(staged, what);
        } finally {
            discardStaged(staged);
        }
    }

    /**
     * The slow part of {@link #install}, before the lock: {@code <id>/} with {@code subdirs} and the record (fsynced)
     * in a staging directory of this process. Then {@link #installStaged} under the lock, {@link #discardStaged} after.
     */
    Path stage(R record, List<String> subdirs, String what) {
        Path stage = store.newStagingDir(kind);
        try {
            Path p = stage.resolve(id.apply(record));
            Files.createDirectory(p);
            for (String sub : subdirs) {
                Files.createDirectory(p.resolve(sub));
            }
            write(p, record);
            return p;
        } catch (IOException e) {
            store.discard(stage);
            throw new StorageException("cannot create " + what + ": " + Fs.describe(e)
                    + "; check free space and permissions of the storage directory");
        }
    }

    /** Call under the lock: renames a {@link #stage}d {@code <id>/} into place. */
    void installStaged(Path staged, String what) {
        try {
            Fs.rename(staged, dir(staged.getFileName().toString()));
            Fs.fsyncDir(parent());
        } catch (IOException e) {
            throw new StorageException("cannot create " + what + ": " + Fs.describe(e)
                    + "; check free space and permissions of the storage directory");
        }
    }

    /** Deletes what is left of a {@link #stage}d directory (all of it, if it was not installed). */
    void discardStaged(Path staged) {
        store.discard(staged.getParent());
    }

    /**
     * Moves {@code <id>/} into staging and deletes it, under the lock; {@code check} may refuse first (it sees the
     * directory). A missing record is not an error.
     */
    void remove(String recordId, Consumer<Path> check) {
        Ids.containerId(recordId);
        store.locked(() -> {
            Path dir = dir(recordId);
            if (!Files.isDirectory(dir, Fs.NOFOLLOW)) {
                return null;
            }
            check.accept(dir);
            Path trash = store.newStagingDir("trash").resolve(recordId);
            try {
                Fs.rename(dir, trash);
                Fs.fsyncDir(parent());
            } catch (IOException e) {
                throw new StorageException("cannot remove " + kind + " " + recordId.substring(0, 12) + ": " + Fs.describe(e)
                        + "; check the storage directory");
            }
            store.discard(trash.getParent());
            return null;
        });
    }
}
