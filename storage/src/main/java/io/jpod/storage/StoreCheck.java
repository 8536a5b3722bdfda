package io.jpod.storage;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Verifies the structure of a store (`jpod system check`) and optionally repairs it. Layer contents are not re-hashed:
 * a diff_id is the digest of the tar stream, which cannot be recomputed from the unpacked files; it was verified before
 * the layer became visible, and layers appear by one rename. What is checked:
 * <ul>
 *   <li>every image record is readable, its config hashes to its id, its layer list is the chain of the config's
 *       diff_ids, and every one of those layers is present;</li>
 *   <li>every layer's layer.json names its own directory, its chain id follows from its parent and diff_id, the
 *       parent is present, the diff dir exists and the short link {@code overlay/l/<link>} points at it;</li>
 *   <li>no orphans: layers no image needs, dangling short links, image directories without a record (interrupted
 *       puts), unknown entries, {@code .tmp-*} leftovers of interrupted writes;</li>
 *   <li>every container record is readable and its image is present.</li>
 * </ul>
 * Repair removes orphans and broken images (unless a container uses them), recreates missing short links and sweeps
 * leftovers. All of it runs under the store lock; orphan layers are left alone while another jpod process is active,
 * because a pull in progress commits its layers before its image record.
 */
public final class StoreCheck {
    /** One finding; {@code repaired} says whether --repair fixed it. */
    public record Problem(String kind, String subject, String detail, boolean repaired) {
        @Override
        public String toString() {
            return kind + " " + subject + ": " + detail + (repaired ? " (repaired)" : "");
        }
    }

    /**
     * The outcome: what was looked at and what was wrong. Orphan layers alone do not make a store inconsistent: an
     * interrupted pull leaves them (its image record is written last), they are harmless, a later pull of the same
     * image reuses them, and `jpod system prune` or `--repair` removes them.
     */
    public record Report(int images, int layers, int containers, List<Problem> problems) {
        public boolean consistent() {
            return problems.stream().allMatch(p -> p.repaired() || p.kind().equals("orphan-layer"));
        }
    }

    private final Store store;

    public StoreCheck(Store store) {
        this.store = store;
    }

    public Report run(boolean repair) {
        return store.locked(() -> check(repair));
    }

    private Report check(boolean repair) {
        List<Problem> problems = new ArrayList<>();
        Path root = store.root();
        Path overlay = root.resolve("overlay");

        // ---- layers
        Map<String, LayerInfo> layers = new HashMap<>();
        Set<String> brokenLayers = new HashSet<>();
        for (Path p : list(overlay)) {
            String name = p.getFileName().toString();
            if (name.equals("l") || name.startsWith(".tmp-")) {
                continue;
            }
            if (!Ids.isHex(name, 64, 64) || !Files.isDirectory(p, Fs.NOFOLLOW)) {
                problems.add(fix(repair, "unknown-entry", p.toString(), "not a layer directory", () -> delete(p)));
                continue;
            }
            String chain = "sha256:" + name;
            LayerInfo info;
            try {
                info = Json.read(p.resolve("layer.json"), LayerInfo.class);
            } catch (StorageException e) {
                info = null;
            }
            if (info == null) {
                problems.add(fix(repair, "broken-layer", chain, "no readable layer.json", () -> delete(p)));
                brokenLayers.add(chain);
                continue;
            }
            String why = null;
            if (!chain.equals(info.chainId())) {
                why = "layer.json names " + info.chainId();
            } else if (!Ids.isDigest(info.diffId()) || (info.parent() != null && !Ids.isDigest(info.parent()))) {
                why = "layer.json has an invalid diff_id or parent";
            } else if (!LayerStore.chainId(info.parent(), info.diffId()).equals(chain)) {
                why = "chain id does not follow from parent " + info.parent() + " and diff_id " + info.diffId();
            } else if (!Files.isDirectory(p.resolve("diff"), Fs.NOFOLLOW)) {
                why = "the diff directory is missing";
            }
            if (why != null) {
                problems.add(fix(repair, "broken-layer", chain, why, () -> delete(p)));
                brokenLayers.add(chain);
                continue;
            }
            layers.put(chain, info);
        }
        // a layer whose parent is missing or broken is broken too (its content alone is not a rootfs)
        boolean changed = true;
        while (changed) {
            changed = false;
            for (LayerInfo info : new ArrayList<>(layers.values())) {
                if (info.parent() != null && !layers.containsKey(info.parent())) {
                    layers.remove(info.chainId());
                    brokenLayers.add(info.chainId());
                    Path dir = overlay.resolve(info.chainId().substring(7));
                    problems.add(fix(repair, "broken-layer", info.chainId(), "its parent " + info.parent() + " is missing",
                            () -> delete(dir)));
                    changed = true;
                }
            }
        }

        // ---- short links
        Map<String, String> linkTargets = new HashMap<>();
        for (Path l : list(overlay.resolve("l"))) {
            String name = l.getFileName().toString();
            if (name.startsWith(".tmp-")) {
                continue;
            }
            String target = null;
            try {
                target = Files.isSymbolicLink(l) ? Files.readSymbolicLink(l).toString() : null;
            } catch (IOException e) {
                // treated as broken
            }
            String hex = target != null && target.startsWith("../") && target.endsWith("/diff")
                    ? target.substring(3, target.length() - 5) : null;
            if (hex == null || !LayerStore.isShortId(name) || !layers.containsKey("sha256:" + hex)
                    || !name.equals(readLink(overlay.resolve(hex)))) {
                problems.add(fix(repair, "dangling-link", l.toString(), "does not point at the diff dir of a layer that names it",
                        () -> Files.deleteIfExists(l)));
            } else {
                linkTargets.put("sha256:" + hex, name);
            }
        }
        for (String chain : layers.keySet()) {
            if (!linkTargets.containsKey(chain)) {
                problems.add(fix(repair, "missing-link", chain, "no short link in overlay/l", () -> store.layers().shortLink(chain)));
            }
        }

        // ---- images
        Set<String> needed = new HashSet<>();
        Set<String> imageIds = new HashSet<>();
        List<ContainerRecord> containers = store.containers().list();
        Set<String> usedImages = new HashSet<>();
        containers.forEach(c -> usedImages.add(c.imageId()));
        int imageCount = 0;
        for (Path p : list(root.resolve("images"))) {
            String name = p.getFileName().toString();
            if (name.startsWith(".tmp-")) {
                continue;
            }
            if (!Ids.isHex(name, 64, 64) || !Files.isDirectory(p, Fs.NOFOLLOW)) {
                problems.add(fix(repair, "unknown-entry", p.toString(), "not an image directory", () -> delete(p)));
                continue;
            }
            String id = "sha256:" + name;
            ImageRecord rec;
            try {
                rec = Json.read(p.resolve("image.json"), ImageRecord.class);
            } catch (StorageException e) {
                rec = null;
            }
            if (rec == null) {
                problems.add(fix(repair && !usedImages.contains(id), "incomplete-image", id,
                        "no readable image.json (an interrupted pull)", () -> delete(p)));
                continue;
            }
            imageCount++;
            String why = imageProblem(p, id, rec, layers);
            if (why != null) {
                boolean used = usedImages.contains(id);
                problems.add(fix(repair && !used, "broken-image", id, why + (used && repair ? "; kept: a container uses it" : ""),
                        () -> delete(p)));
                continue;
            }
            imageIds.add(id);
            for (String l : rec.layers() == null ? List.<String>of() : rec.layers()) {
                for (String c = l; c != null && needed.add(c); c = layers.get(c).parent()) {
                    // walk down the chain: every ancestor of a needed layer is needed
                }
            }
        }

        // ---- orphan layers
        boolean others = !repair ? false : store.othersActive();
        for (String chain : layers.keySet()) {
            if (!needed.contains(chain)) {
                Path dir = overlay.resolve(chain.substring(7));
                String link = linkTargets.get(chain);
                problems.add(fix(repair && !others, "orphan-layer", chain,
                        "no image uses it" + (repair && others ? "; kept: another jpod command is running" : ""), () -> {
                            if (link != null) {
                                Files.deleteIfExists(overlay.resolve("l").resolve(link));
                            }
                            delete(dir);
                        }));
            }
        }

        // ---- containers
        int containerCount = 0;
        for (Path p : list(root.resolve("containers"))) {
            String name = p.getFileName().toString();
            if (name.startsWith(".tmp-")) {
                continue;
            }
            ContainerRecord c = null;
            try {
                c = Ids.isHex(name, 64, 64) ? Json.read(p.resolve("container.json"), ContainerRecord.class) : null;
            } catch (StorageException e) {
                // reported below
            }
            if (c == null || !name.equals(c.id())) {
                problems.add(new Problem("broken-container", p.toString(), "no readable container.json; remove it with jpod rm -f or by hand", false));
                continue;
            }
            containerCount++;
            if (!imageIds.contains(c.imageId())) {
                problems.add(new Problem("broken-container", c.id().substring(0, 12) + " (" + c.name() + ")",
                        "its image " + c.imageId() + " is missing or broken; remove the container", false));
            }
        }

        // ---- leftovers of interrupted writes
        for (String area : new String[] {"images", "containers", "overlay"}) {
            for (Path p : temps(root.resolve(area))) {
                problems.add(fix(repair, "leftover", p.toString(), "temp file of an interrupted write", () -> Files.deleteIfExists(p)));
            }
        }
        if (repair) {
            store.sweep();
        }
        return new Report(imageCount, layers.size(), containerCount, List.copyOf(problems));
    }

    /** Why an image is broken, or null. */
    private String imageProblem(Path dir, String id, ImageRecord rec, Map<String, LayerInfo> layers) {
        if (!id.equals(rec.id())) {
            return "image.json names " + rec.id();
        }
        byte[] config;
        try {
            config = Files.readAllBytes(dir.resolve("config.json"));
            if (!Files.isRegularFile(dir.resolve("manifest"), Fs.NOFOLLOW)) {
                return "the manifest is missing";
            }
        } catch (IOException e) {
            return "the config is missing or unreadable";
        }
        if (!ImageStore.sha256(config).equals(id)) {
            return "the config does not hash to the image id";
        }
        List<String> chain = rec.layers() == null ? List.of() : rec.layers();
        try {
            JsonNode diffIds = Json.mapper().readTree(config).path("rootfs").path("diff_ids");
            if (diffIds.isArray() && diffIds.size() > 0) {
                List<String> expected = new ArrayList<>();
                String parent = null;
                for (JsonNode d : diffIds) {
                    parent = LayerStore.chainId(parent, d.asText());
                    expected.add(parent);
                }
                if (!expected.equals(chain)) {
                    return "its layer list is not the chain of the config's diff_ids";
                }
            }
        } catch (IOException | StorageException e) {
            return "the config is not valid JSON with valid diff_ids";
        }
        for (int i = 0; i < chain.size(); i++) {
            LayerInfo info = layers.get(chain.get(i));
            if (info == null) {
                return "layer " + chain.get(i) + " is missing";
            }
            String parent = i == 0 ? null : chain.get(i - 1);
            if (!java.util.Objects.equals(parent, info.parent())) {
                return "layer " + chain.get(i) + " has parent " + info.parent() + ", expected " + parent;
            }
        }
        return null;
    }

    private interface Action {
        void run() throws IOException;
    }

    private static Problem fix(boolean repair, String kind, String subject, String detail, Action action) {
        if (!repair) {
            return new Problem(kind, subject, detail, false);
        }
        try {
            action.run();
            return new Problem(kind, subject, detail, true);
        } catch (IOException | RuntimeException e) {
            return new Problem(kind, subject, detail + "; repair failed: " + Fs.describe(e), false);
        }
    }

    private void delete(Path p) throws IOException {
        // renamed into our staging first, so a crash during the delete leaves nothing half-removed in the store
        Path trash = store.newStagingDir("trash");
        Fs.rename(p, trash.resolve(p.getFileName().toString()));
        store.discard(trash);
    }

    private static String readLink(Path layerDir) {
        try {
            return new String(Files.readAllBytes(layerDir.resolve("link")), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return null;
        }
    }

    private static List<Path> list(Path dir) {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            ds.forEach(out::add);
        } catch (IOException e) {
            throw new StorageException("cannot read " + dir + ": " + Fs.describe(e) + "; check the storage directory");
        }
        out.sort(null);
        return out;
    }

    private static List<Path> temps(Path area) {
        List<Path> out = new ArrayList<>();
        for (Path p : list(area)) {
            if (p.getFileName().toString().startsWith(".tmp-")) {
                out.add(p);
            } else if (Files.isDirectory(p, Fs.NOFOLLOW)) {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(p, ".tmp-*")) {
                    ds.forEach(out::add);
                } catch (IOException e) {
                    // unreadable: reported elsewhere
                }
            }
        }
        return out;
    }
}
