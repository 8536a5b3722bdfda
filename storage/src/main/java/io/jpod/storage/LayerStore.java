package io.jpod.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Unpacked layers keyed by chain id: {@code overlay/<chainhex>/{diff/,layer.json,link}} plus the short name
 * {@code overlay/l/<link> -> ../<chainhex>/diff}. A layer directory appears by one rename, so it exists complete or not
 * at all; the short link is created right after and repaired by {@link #shortLink} if a crash came in between.
 */
public final class LayerStore {
    /** Length of the short link names, as in containers/storage. */
    public static final int SHORT_LINK_LENGTH = 26;

    private final Store store;

    LayerStore(Store store) {
        this.store = store;
    }

    private Path overlay() {
        return store.root().resolve("overlay");
    }

    public boolean exists(String chainId) {
        return Files.isRegularFile(overlay().resolve(Ids.digestHex(chainId, "layer chain id")).resolve("layer.json"), Fs.NOFOLLOW);
    }

    /** {@code <root>/overlay/<hex>/diff} (whether or not the layer exists). */
    public Path diffDir(String chainId) {
        return overlay().resolve(Ids.digestHex(chainId, "layer chain id")).resolve("diff");
    }

    /**
     * Unpacks an UNCOMPRESSED layer tar stream into a private temp dir, hashing the stream (diff_id) as it goes. Reads
     * the stream to EOF. Nothing is visible in the store until commit. Warnings (skipped device nodes etc.) go to
     * {@code warnings}, the caller's (null: nowhere).
     */
    public StagedLayer stage(InputStream uncompressedTar, PrintStream warnings) throws IOException {
        Path dir = store.newStagingDir("layer");
        boolean ok = false;
        try {
            Path diff = dir.resolve("diff");
            Files.createDirectory(diff);
            LayerUnpacker.Result result = new LayerUnpacker(warnings).unpack(uncompressedTar, diff);
            ok = true;
            return new Staged(dir, result);
        } finally {
            if (!ok) {
                try {
                    Fs.deleteTree(dir);
                } catch (IOException | StorageException e) {
                    // swept by a later open
                }
            }
        }
    }

    /** Committed chain ids ("sha256:<hex>"), sorted. */
    public List<String> list() {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(overlay())) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (Ids.isHex(name, 64, 64) && Files.isRegularFile(p.resolve("layer.json"), Fs.NOFOLLOW)) {
                    out.add("sha256:" + name);
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot list " + overlay() + ": " + Fs.describe(e) + "; check the storage directory");
        }
        out.sort(null);
        return out;
    }

    /** The layer's metadata, if it is in the store. */
    public Optional<LayerInfo> info(String chainId) {
        Path file = overlay().resolve(Ids.digestHex(chainId, "layer chain id")).resolve("layer.json");
        return Optional.ofNullable(Json.read(file, LayerInfo.class));
    }

    /**
     * The short link name (26 chars [A-Z0-9]) of a committed layer; {@code <root>/overlay/l/<name>} points at its diff
     * dir. Drivers use it to keep long lowerdir option strings under a page. Recreates a missing link.
     */
    public String shortLink(String chainId) {
        String hex = Ids.digestHex(chainId, "layer chain id");
        if (!exists(chainId)) {
            throw new StorageException("layer " + chainId + " is not in storage; pull its image again");
        }
        String existing = readLink(overlay().resolve(hex));
        if (existing != null && linkOk(existing, hex)) {
            return existing;
        }
        return store.locked(() -> {
            String current = readLink(overlay().resolve(hex));
            if (current != null && linkOk(current, hex)) {
                return current;
            }
            try {
                String id = current != null ? current : newShortId();
                if (current == null) {
                    Fs.writeAtomic(overlay().resolve(hex).resolve("link"), id.getBytes(StandardCharsets.US_ASCII));
                }
                makeLink(id, hex);
                return id;
            } catch (IOException e) {
                throw new StorageException("cannot repair the short link of layer " + chainId + ": " + Fs.describe(e));
            }
        });
    }

    /** Removes a layer (callers check that no image or container still uses it). A missing layer is not an error. */
    public void remove(String chainId) {
        String hex = Ids.digestHex(chainId, "layer chain id");
        store.locked(() -> {
            Path dir = overlay().resolve(hex);
            if (!Files.isDirectory(dir, Fs.NOFOLLOW)) {
                return null;
            }
            String link = readLink(dir);
            Path trash = store.newStagingDir("trash").resolve(hex);
            try {
                Fs.rename(dir, trash);
                if (link != null) {
                    Path l = overlay().resolve("l").resolve(link);
                    if (Files.isSymbolicLink(l) && Files.readSymbolicLink(l).toString().equals("../" + hex + "/diff")) {
                        Files.deleteIfExists(l);
                    }
                }
            } catch (IOException e) {
                throw new StorageException("cannot remove layer " + chainId + ": " + Fs.describe(e) + "; check the storage directory");
            }
            store.discard(trash.getParent());
            return null;
        });
    }

    /** The OCI chain id: the diff id for a base layer, else sha256 of "parentChainId diffId". */
    public static String chainId(String parentChainId, String diffId) {
        Ids.digestHex(diffId, "layer diff id");
        if (parentChainId == null) {
            return diffId;
        }
        Ids.digestHex(parentChainId, "parent chain id");
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] d = md.digest((parentChainId + " " + diffId).getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- internals

    private static String readLink(Path layerDir) {
        try {
            String s = new String(Files.readAllBytes(layerDir.resolve("link")), StandardCharsets.US_ASCII).trim();
            return isShortId(s) ? s : null;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new StorageException("cannot read " + layerDir.resolve("link") + ": " + Fs.describe(e));
        }
    }

    static boolean isShortId(String s) {
        if (s.length() != SHORT_LINK_LENGTH) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
                return false;
            }
        }
        return true;
    }

    private boolean linkOk(String id, String hex) {
        Path l = overlay().resolve("l").resolve(id);
        try {
            return Files.isSymbolicLink(l) && Files.readSymbolicLink(l).toString().equals("../" + hex + "/diff");
        } catch (IOException e) {
            return false;
        }
    }

    /** Call under the store lock: unique among existing links. */
    private String newShortId() {
        for (int i = 0; i < 100; i++) {
            String id = Fs.randomAlnum(SHORT_LINK_LENGTH);
            if (!Files.exists(overlay().resolve("l").resolve(id), Fs.NOFOLLOW)) {
                return id;
            }
        }
        throw new StorageException("cannot find a free short link name in " + overlay().resolve("l"));
    }

    private void makeLink(String id, String hex) throws IOException {
        Path l = overlay().resolve("l").resolve(id);
        Path tmp = overlay().resolve("l").resolve(".tmp-" + id + "-" + Fs.randomHex(8));
        Files.createSymbolicLink(tmp, Path.of("../" + hex + "/diff"));
        try {
            Files.move(tmp, l, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Fs.fsyncDir(overlay().resolve("l"));
    }

    /** A staged layer: {@code tmp/<proc>/layer-<rand>/diff}, renamed to {@code overlay/<chainhex>} on commit. */
    private final class Staged implements StagedLayer {
        private final Path dir;
        private final LayerUnpacker.Result result;
        private boolean done;
        private boolean durable;

        Staged(Path dir, LayerUnpacker.Result result) {
            this.dir = dir;
            this.result = result;
        }

        @Override
        public String diffId() {
            return result.diffId();
        }

        @Override
        public long size() {
            return result.size();
        }

        @Override
        public synchronized void makeDurable() {
            if (!durable && !done) {
                Native.syncfs(dir.toString()); // file data durable before commit's rename publishes the layer
                durable = true;
            }
        }

        @Override
        public synchronized void commit(String chainId, String expectedDiffId, String parentChainId) {
            if (done) {
                throw new IllegalStateException("staged layer already committed or closed");
            }
            String hex = Ids.digestHex(chainId, "layer chain id");
            Ids.digestHex(expectedDiffId, "layer diff id");
            if (!result.diffId().equals(expectedDiffId)) {
                close();
                throw new StorageException("layer " + chainId + ": content digest " + result.diffId()
                        + " does not match the image config's diff_id " + expectedDiffId + "; the image is corrupt");
            }
            String computed = LayerStore.chainId(parentChainId, expectedDiffId);
            if (!computed.equals(chainId)) {
                close();
                throw new StorageException("layer " + chainId + ": chain id does not follow from parent " + parentChainId
                        + " and diff_id " + expectedDiffId + " (it is " + computed + "); this is a bug in jpod, please report it");
            }
            if (!result.rootEntry()) {
                inheritRoot(parentChainId);
            }
            if (!result.lowerLinks().isEmpty()) {
                try {
                    if (LowerLinks.apply(dir.resolve("diff"), result.lowerLinks(), lowerDiffs(chainId, parentChainId), new Ownership(null))) {
                        durable = false; // written after an early makeDurable: flush again before the rename
                    }
                } catch (StorageException e) {
                    close();
                    throw e;
                }
            }
            try {
                Fs.writeAtomic(dir.resolve("layer.json"), Json.bytes(new LayerInfo(chainId, expectedDiffId, parentChainId,
                        result.size(), result.whiteoutFallback())));
            } catch (IOException e) {
                close();
                throw new StorageException("cannot write the metadata of layer " + chainId + ": " + Fs.describe(e)
                        + "; check free space");
            }
            makeDurable();
            try {
                store.locked(() -> {
                    Path target = overlay().resolve(hex);
                    if (Files.isRegularFile(target.resolve("layer.json"), Fs.NOFOLLOW)) {
                        return null; // another process or thread won the race; its copy is identical
                    }
                    try {
                        if (Files.exists(target, Fs.NOFOLLOW)) {
                            // layers appear by one rename with layer.json inside, so this is damage: replace it
                            Path trash = store.newStagingDir("trash");
                            Fs.rename(target, trash.resolve(hex));
                            store.discard(trash);
                        }
                        String id = newShortId();
                        Fs.writeAtomic(dir.resolve("link"), id.getBytes(StandardCharsets.US_ASCII));
                        Fs.rename(dir, target);
                        Fs.fsyncDir(overlay());
                        makeLink(id, hex);
                    } catch (FileAlreadyExistsException e) {
                        return null;
                    } catch (IOException e) {
                        throw new StorageException("cannot store layer " + chainId + ": " + Fs.describe(e)
                                + "; check free space and permissions of the storage directory");
                    }
                    return null;
                });
            } finally {
                close(); // deletes the staging dir if it was not renamed away
            }
        }

        /** The diff dirs of the parent chain, topmost first; every one must be committed. */
        private List<Path> lowerDiffs(String chainId, String parentChainId) {
            List<Path> out = new ArrayList<>();
            String p = parentChainId;
            while (p != null) {
                if (!exists(p) || out.size() > 500) {
                    throw new StorageException("layer " + chainId + ": its parent layer " + p + " is not in storage, so its"
                            + " hardlinks into lower layers cannot be resolved; pull the image again");
                }
                out.add(diffDir(p));
                p = info(p).map(LayerInfo::parent).orElse(null);
            }
            return out;
        }

        /**
         * A layer without an entry for "/" gets the owner and mode of its parent's root, or 0:0 0555 for a base layer,
         * as containers/storage gives a new layer directory; the merged "/" then matches podman's.
         */
        private void inheritRoot(String parentChainId) {
            Path diff = dir.resolve("diff");
            long uid = 0;
            long gid = 0;
            int mode = 0555;
            try {
                Map<String, Object> st = parentChainId == null ? null : Fs.unixStat(diffDir(parentChainId));
                if (st != null) {
                    uid = ((Integer) st.get("uid")) & 0xFFFFFFFFL;
                    gid = ((Integer) st.get("gid")) & 0xFFFFFFFFL;
                    mode = ((Integer) st.get("mode")) & 07777;
                }
            } catch (IOException e) {
                // keep the defaults
            }
            new Ownership(null).chown(diff, uid, gid, "the root directory of the layer");
            String failure = Native.chmod(diff, mode);
            if (failure != null) {
                throw new StorageException("cannot set the mode of " + diff + ": " + failure);
            }
        }

        @Override
        public synchronized void close() {
            if (done) {
                return;
            }
            done = true;
            store.discard(dir);
        }
    }
}
