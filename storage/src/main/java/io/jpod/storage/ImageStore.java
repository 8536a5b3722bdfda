package io.jpod.storage;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Images: {@code images/<idhex>/manifest} (bytes as received), {@code config.json}, {@code image.json} (the
 * {@link ImageRecord}). Every file is written atomically, image.json last, so a directory without image.json is an
 * interrupted put and is ignored (and overwritten by the next put). Names (tags and digest names) are unique across
 * images: a name put on one image is first removed from any other.
 */
public final class ImageStore {
    private final Store store;

    ImageStore(Store store) {
        this.store = store;
    }

    private Path images() {
        return store.root().resolve("images");
    }

    /**
     * Atomically stores manifest bytes (as received), config bytes, and the record; merges names if the id exists;
     * a name moving to this image is removed from its previous image. The id must be the sha256 of {@code config}.
     */
    public ImageRecord put(String imageId, byte[] manifest, byte[] config, String manifestDigest,
                           List<String> layerChainIds, long size, String name, String digestName) {
        String hex = Ids.imageHex(imageId);
        String id = "sha256:" + hex;
        if (manifest == null || config == null) {
            throw new IllegalArgumentException("manifest and config are required");
        }
        String configDigest = sha256(config);
        if (!configDigest.equals(id)) {
            throw new StorageException("image " + id + ": its config has digest " + configDigest + "; the image is corrupt");
        }
        if (manifestDigest != null) {
            Ids.digestHex(manifestDigest, "manifest digest");
        }
        List<String> layers = List.copyOf(layerChainIds == null ? List.of() : layerChainIds);
        for (String l : layers) {
            Ids.digestHex(l, "layer chain id");
        }
        checkName(name, "image name");
        checkName(digestName, "image digest name");
        return store.locked(() -> {
            Path dir = images().resolve(hex);
            Fs.mkdirs(dir);
            ImageRecord existing = readQuietly(dir);
            // take the names from other images first: a crash in between loses a tag (fixed by pulling again),
            // it never leaves one name on two images
            for (ImageRecord other : scan()) {
                if (other.id().equals(id)) {
                    continue;
                }
                boolean hasName = name != null && other.names().contains(name);
                boolean hasDigest = digestName != null && other.digests().contains(digestName);
                if (hasName || hasDigest) {
                    List<String> n = new ArrayList<>(other.names());
                    List<String> d = new ArrayList<>(other.digests());
                    n.remove(name);
                    d.remove(digestName);
                    write(images().resolve(Ids.imageHex(other.id())), other.withNames(n, d));
                }
            }
            List<String> names = new ArrayList<>(existing == null ? List.of() : existing.names());
            List<String> digests = new ArrayList<>(existing == null ? List.of() : existing.digests());
            if (name != null && !names.contains(name)) {
                names.add(name);
            }
            if (digestName != null && !digests.contains(digestName)) {
                digests.add(digestName);
            }
            ImageRecord rec = new ImageRecord(id, List.of(), List.of(), manifestDigest, layers, size,
                    existing != null && existing.created() != null ? existing.created() : Instant.now(),
                    existing == null ? List.of() : existing.namesHistory()).withNames(names, digests);
            try {
                Fs.writeAtomic(dir.resolve("manifest"), manifest);
                Fs.writeAtomic(dir.resolve("config.json"), config);
            } catch (IOException e) {
                throw new StorageException("cannot store image " + id + ": " + Fs.describe(e) + "; check free space");
            }
            write(dir, rec);
            return rec;
        });
    }

    /**
     * Finds an image by full id ("sha256:hex" or bare hex), exact name "registry/repo:tag", digest name
     * "registry/repo@sha256:...", or unique id prefix of at least 3 hex digits (in that order).
     *
     * @throws StorageException when an id prefix matches several images
     */
    public Optional<ImageRecord> get(String idOrName) {
        if (idOrName == null || idOrName.isEmpty()) {
            return Optional.empty();
        }
        String bare = idOrName.startsWith("sha256:") ? idOrName.substring(7) : idOrName;
        if (Ids.isHex(bare, 64, 64)) {
            Optional<ImageRecord> r = Optional.ofNullable(readQuietly(images().resolve(bare)));
            if (r.isPresent()) {
                return r;
            }
        }
        List<ImageRecord> all = scan();
        for (ImageRecord r : all) {
            if (r.names().contains(idOrName) || r.digests().contains(idOrName)) {
                return Optional.of(r);
            }
        }
        int at = idOrName.indexOf("@sha256:");
        if (at > 0) {
            // repo@digest of a manifest we stored under a tag only
            String repo = idOrName.substring(0, at);
            String digest = idOrName.substring(at + 1);
            for (ImageRecord r : all) {
                if (digest.equals(r.manifestDigest()) && r.names().stream().anyMatch(n -> repoOf(n).equals(repo))) {
                    return Optional.of(r);
                }
            }
        }
        if (Ids.isHex(bare, 3, 63)) {
            List<ImageRecord> hits = all.stream().filter(r -> r.id().startsWith("sha256:" + bare)).toList();
            if (hits.size() > 1) {
                throw new StorageException("image id prefix " + Fs.quote(bare) + " is ambiguous: it matches " + hits.size()
                        + " images; give more digits of the id");
            }
            if (hits.size() == 1) {
                return Optional.of(hits.get(0));
            }
        }
        return Optional.empty();
    }

    /** All images, newest first. */
    public List<ImageRecord> list() {
        List<ImageRecord> all = new ArrayList<>(scan());
        all.sort(Comparator.comparing((ImageRecord r) -> r.created() == null ? Instant.EPOCH : r.created()).reversed()
                .thenComparing(ImageRecord::id));
        return all;
    }

    /**
     * Ids (hex) of image directories whose {@code image.json} is there but not a valid record: {@link #list} leaves them
     * out, and `jpod images` says so. A directory without the file is not counted (a {@link #put} may be under way).
     */
    public List<String> damaged() {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(images())) {
            for (Path p : ds) {
                String hex = p.getFileName().toString();
                if (Ids.isHex(hex, 64, 64) && Files.exists(p.resolve("image.json"), Fs.NOFOLLOW) && readQuietly(p) == null) {
                    out.add(hex);
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot list " + images() + ": " + Fs.describe(e) + "; check the storage directory");
        }
        out.sort(null);
        return out;
    }

    public byte[] config(String imageId) {
        return blob(imageId, "config.json");
    }

    public byte[] manifest(String imageId) {
        return blob(imageId, "manifest");
    }

    /**
     * Removes the image's record and files (not its layers). A missing image is not an error. Refused while a
     * container (running or not, as podman does) was created from it: checked under the store lock, which
     * {@link ContainerStore#create} holds too, so an image can never disappear under a container being created.
     */
    public void remove(String imageId) {
        String hex = Ids.imageHex(imageId);
        store.locked(() -> {
            Path dir = images().resolve(hex);
            if (!Files.isDirectory(dir, Fs.NOFOLLOW)) {
                return null;
            }
            for (ContainerRecord c : store.containers().list()) {
                if (("sha256:" + hex).equals(c.imageId())) {
                    throw new StorageException("image sha256:" + hex.substring(0, 12) + " is in use by container " + c.name()
                            + " (" + c.id().substring(0, 12) + ", " + c.state() + "); remove the container first");
                }
            }
            Path trash = store.newStagingDir("trash").resolve(hex);
            try {
                Fs.rename(dir, trash);
                Fs.fsyncDir(images());
            } catch (IOException e) {
                throw new StorageException("cannot remove image sha256:" + hex + ": " + Fs.describe(e) + "; check the storage directory");
            }
            store.discard(trash.getParent());
            return null;
        });
    }

    // ---- internals

    private byte[] blob(String imageId, String file) {
        String hex = Ids.imageHex(imageId);
        Path dir = images().resolve(hex);
        if (!Files.isRegularFile(dir.resolve("image.json"))) {
            throw new StorageException("image sha256:" + hex + " is not in storage; pull it again");
        }
        try {
            return Files.readAllBytes(dir.resolve(file));
        } catch (NoSuchFileException e) {
            throw new StorageException("image sha256:" + hex + " has no " + file + " in storage; remove the image and pull it again");
        } catch (IOException e) {
            throw new StorageException("cannot read " + dir.resolve(file) + ": " + Fs.describe(e));
        }
    }

    private static void checkName(String name, String what) {
        if (name == null) {
            return;
        }
        if (name.isEmpty() || name.length() > 4096) {
            throw new StorageException("invalid " + what + " " + Fs.quote(name));
        }
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < 0x21 || name.charAt(i) == 0x7f) {
                throw new StorageException("invalid " + what + " " + Fs.quote(name) + ": it contains blanks or control characters");
            }
        }
    }

    private static String repoOf(String name) {
        int at = name.indexOf('@');
        if (at >= 0) {
            return name.substring(0, at);
        }
        int slash = name.lastIndexOf('/');
        int colon = name.lastIndexOf(':');
        return colon > slash ? name.substring(0, colon) : name;
    }

    private void write(Path dir, ImageRecord rec) {
        try {
            Fs.writeAtomic(dir.resolve("image.json"), Json.bytes(rec));
        } catch (IOException e) {
            throw new StorageException("cannot write " + dir.resolve("image.json") + ": " + Fs.describe(e) + "; check free space");
        }
    }

    /** The record in {@code dir}, or null if absent or unreadable (a damaged record must not break every command). */
    /** The record in {@code dir} (immutable, shared: parsed once per content, see {@link Json#readCached}), or null. */
    private static ImageRecord readQuietly(Path dir) {
        String hex = dir.getFileName().toString();
        try {
            return Json.readCached(dir.resolve("image.json"), ImageRecord.class, r -> {
                if (r == null || !Ids.isDigest(r.id()) || !r.id().substring(7).equals(hex)) {
                    return null;
                }
                return new ImageRecord(r.id(), r.names() == null ? List.of() : List.copyOf(r.names()),
                        r.digests() == null ? List.of() : List.copyOf(r.digests()), r.manifestDigest(),
                        r.layers() == null ? List.of() : List.copyOf(r.layers()), r.size(), r.created(), r.namesHistory());
            });
        } catch (StorageException | NullPointerException e) {
            return null;
        }
    }

    private List<ImageRecord> scan() {
        List<ImageRecord> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(images())) {
            for (Path p : ds) {
                if (Ids.isHex(p.getFileName().toString(), 64, 64)) {
                    ImageRecord r = readQuietly(p);
                    if (r != null) {
                        out.add(r);
                    }
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot list " + images() + ": " + Fs.describe(e) + "; check the storage directory");
        }
        return out;
    }

    static String sha256(byte[] data) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
