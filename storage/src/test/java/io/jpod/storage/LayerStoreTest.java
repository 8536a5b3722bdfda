package io.jpod.storage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LayerStoreTest {
    static final String A = "sha256:" + "a".repeat(64);
    static final String B = "sha256:" + "b".repeat(64);
    static final String C = "sha256:" + "c".repeat(64);

    @TempDir
    Path tmp;
    Store store;

    @BeforeEach
    void open() {
        store = Store.open(tmp.resolve("storage"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void chainIdVectors() {
        // computed independently: printf '%s' "<parent> <diff>" | sha256sum
        assertEquals(A, LayerStore.chainId(null, A), "a base layer's chain id is its diff id");
        String ab = "sha256:ccd722928bd92476ba1745586fed6e45a102504185ad88cd89e01ff116fd146c";
        assertEquals(ab, LayerStore.chainId(A, B));
        assertEquals("sha256:c1377126441fb2f5ec2c21ae2a60255331d639e830f0ee1b40a36e52d4c40588", LayerStore.chainId(ab, C));
        assertEquals("sha256:e60425e32dcdea627e3666646be7ac1cc611f65a604f2f1c4021ec12e9e70e37", LayerStore.chainId(
                "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4",
                "sha256:2ac4e6b8e2d7d3e8b5a8b2f0c8b3bcb1b3a1c5e5f1c3e6d2f3a8b5c4d6e7f8a9"));
        assertThrows(StorageException.class, () -> LayerStore.chainId(null, "sha256:xyz"));
        assertThrows(StorageException.class, () -> LayerStore.chainId("../../etc", A));
    }

    @Test
    void hostileChainIdsNeverBecomePaths() {
        for (String bad : new String[] {"sha256:../../etc", "../x", "sha256:" + "A".repeat(64), "", "sha512:" + "a".repeat(128)}) {
            assertThrows(StorageException.class, () -> store.layers().diffDir(bad), bad);
            assertThrows(StorageException.class, () -> store.layers().exists(bad), bad);
        }
    }

    static byte[] layerTar(String content) {
        return new TarBuilder().dir("etc").file("etc/hello", content).symlink("link", "etc/hello").build();
    }

    @Test
    void commitPublishesLayerWithMetadataAndShortLink() throws IOException {
        byte[] tar = layerTar("v1");
        String diffId = ImageStore.sha256(tar);
        try (StagedLayer staged = store.layers().stage(new ByteArrayInputStream(tar), null)) {
            assertEquals(diffId, staged.diffId());
            assertEquals(tar.length, staged.size());
            assertFalse(store.layers().exists(diffId), "not visible before commit");
            staged.commit(diffId, diffId, null);
        }
        assertTrue(store.layers().exists(diffId));
        assertEquals(List.of(diffId), store.layers().list());
        Path diff = store.layers().diffDir(diffId);
        assertEquals(store.root().resolve("overlay").resolve(diffId.substring(7)).resolve("diff"), diff);
        assertEquals("v1", Files.readString(diff.resolve("etc/hello")));
        LayerInfo info = store.layers().info(diffId).orElseThrow();
        assertEquals(new LayerInfo(diffId, diffId, null, tar.length, info.whiteoutFiles()), info);
        String json = Files.readString(diff.getParent().resolve("layer.json"));
        assertTrue(json.contains("\"chainId\"") && json.contains("\"diffId\"") && json.contains("\"size\""), json);
        String link = store.layers().shortLink(diffId);
        assertTrue(link.matches("[A-Z0-9]{26}"), link);
        Path l = store.root().resolve("overlay/l").resolve(link);
        assertEquals("../" + diffId.substring(7) + "/diff", Files.readSymbolicLink(l).toString());
        assertEquals(diff.toRealPath(), l.toRealPath());
        assertEquals(link, Files.readString(diff.getParent().resolve("link")).trim());
        assertStagingEmpty();
    }

    @Test
    void childLayerUsesParentInChainId() throws IOException {
        byte[] base = layerTar("base");
        byte[] top = new TarBuilder().file("etc/.wh.hello", "").file("top", "t").build();
        String baseId = ImageStore.sha256(base);
        String topDiff = ImageStore.sha256(top);
        String topChain = LayerStore.chainId(baseId, topDiff);
        try (StagedLayer s = store.layers().stage(new ByteArrayInputStream(base), null)) {
            s.commit(baseId, baseId, null);
        }
        try (StagedLayer s = store.layers().stage(new ByteArrayInputStream(top), null)) {
            StorageException e = assertThrows(StorageException.class, () -> s.commit(topDiff, topDiff, baseId));
            assertTrue(e.getMessage().contains("chain id does not follow"), e.getMessage());
        }
        try (StagedLayer s = store.layers().stage(new ByteArrayInputStream(top), null)) {
            s.commit(topChain, topDiff, baseId);
        }
        assertEquals(baseId, store.layers().info(topChain).orElseThrow().parent());
        assertEquals(2, store.layers().list().size());
    }

    @Test
    void closeWithoutCommitDiscards() throws IOException {
        byte[] tar = layerTar("discard me");
        StagedLayer staged = store.layers().stage(new ByteArrayInputStream(tar), null);
        assertFalse(stagingContents().isEmpty(), "staged files exist before close");
        staged.close();
        staged.close(); // idempotent
        assertStagingEmpty();
        assertEquals(List.of(), store.layers().list());
        assertThrows(IllegalStateException.class, () -> staged.commit(staged.diffId(), staged.diffId(), null));
    }

    @Test
    void wrongDiffIdLeavesStoreUnchanged() throws IOException {
        byte[] tar = layerTar("corrupt");
        String actual = ImageStore.sha256(tar);
        StagedLayer staged = store.layers().stage(new ByteArrayInputStream(tar), null);
        StorageException e = assertThrows(StorageException.class, () -> staged.commit(B, B, null));
        assertEquals("layer " + B + ": content digest " + actual + " does not match the image config's diff_id " + B
                + "; the image is corrupt", e.getMessage());
        assertEquals(List.of(), store.layers().list());
        assertFalse(store.layers().exists(B));
        try (Stream<Path> s = Files.list(store.root().resolve("overlay/l"))) {
            assertEquals(0, s.count());
        }
        assertStagingEmpty();
    }

    @Test
    void hostileLayerLeavesNoStagingBehind() {
        byte[] tar = new TarBuilder().file("ok", "x").file("../escape", "x").build();
        assertThrows(StorageException.class, () -> store.layers().stage(new ByteArrayInputStream(tar), null));
        assertStagingEmpty();
    }

    @Test
    void concurrentCommitsOfTheSameLayerBothSucceedAndStoreItOnce() throws Exception {
        byte[] tar = layerTar("race");
        String id = ImageStore.sha256(tar);
        Store second = Store.open(store.root());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CyclicBarrier barrier = new CyclicBarrier(2);
            List<Future<String>> results = new ArrayList<>();
            for (Store s : new Store[] {store, second}) {
                results.add(pool.submit(() -> {
                    try (StagedLayer staged = s.layers().stage(new ByteArrayInputStream(tar), null)) {
                        barrier.await(30, TimeUnit.SECONDS);
                        staged.commit(id, id, null);
                        return staged.diffId();
                    }
                }));
            }
            for (Future<String> f : results) {
                assertEquals(id, f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
            second.close();
        }
        assertEquals(List.of(id), store.layers().list());
        try (Stream<Path> s = Files.list(store.root().resolve("overlay/l"))) {
            assertEquals(1, s.count(), "one short link");
        }
        assertEquals("race", Files.readString(store.layers().diffDir(id).resolve("etc/hello")));
        assertStagingEmpty();
    }

    @Test
    void shortLinkIsRepairedAndLayersCanBeRemoved() throws IOException {
        byte[] tar = layerTar("links");
        String id = ImageStore.sha256(tar);
        try (StagedLayer s = store.layers().stage(new ByteArrayInputStream(tar), null)) {
            s.commit(id, id, null);
        }
        String link = store.layers().shortLink(id);
        Files.delete(store.root().resolve("overlay/l").resolve(link)); // as if we crashed after the rename
        assertEquals(link, store.layers().shortLink(id));
        assertTrue(Files.isSymbolicLink(store.root().resolve("overlay/l").resolve(link)));
        store.layers().remove(id);
        assertFalse(store.layers().exists(id));
        assertFalse(Files.exists(store.root().resolve("overlay/l").resolve(link), Fs.NOFOLLOW));
        store.layers().remove(id); // missing is fine
        assertThrows(StorageException.class, () -> store.layers().shortLink(id));
    }

    @Test
    void aDamagedLayerDirectoryIsReplacedOnCommit() throws IOException {
        byte[] tar = layerTar("repair");
        String id = ImageStore.sha256(tar);
        Files.createDirectories(store.layers().diffDir(id).resolve("junk")); // no layer.json: not a layer
        assertFalse(store.layers().exists(id));
        try (StagedLayer s = store.layers().stage(new ByteArrayInputStream(tar), null)) {
            s.commit(id, id, null);
        }
        assertTrue(store.layers().exists(id));
        assertEquals("repair", Files.readString(store.layers().diffDir(id).resolve("etc/hello")));
        assertFalse(Files.exists(store.layers().diffDir(id).resolve("junk")));
    }

    @Test
    void readOnlyLayerContentIsRemovable() throws IOException {
        byte[] tar = new TarBuilder().dir("ro", 0555).dir("ro/inner", 0000).file("ro/f", "x", 0000).build();
        String id = ImageStore.sha256(tar);
        try (StagedLayer s = store.layers().stage(new ByteArrayInputStream(tar), null)) {
            s.commit(id, id, null);
        }
        store.layers().remove(id);
        assertEquals(List.of(), store.layers().list());
        assertStagingEmpty();
    }

    private List<String> stagingContents() {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(store.root().resolve("tmp"))) {
            s.filter(p -> !p.equals(store.root().resolve("tmp")))
                    .filter(p -> !p.getFileName().toString().endsWith(".lock"))
                    .filter(p -> !p.getParent().equals(store.root().resolve("tmp"))) // the per-process area itself
                    .forEach(p -> out.add(store.root().relativize(p).toString()));
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
        return out;
    }

    private void assertStagingEmpty() {
        assertEquals(List.of(), stagingContents());
    }

    /** Commits layers bottom-up; returns their chain ids. The last one's failure propagates. */
    private List<String> commitChain(byte[]... layers) throws IOException {
        List<String> chains = new ArrayList<>();
        String parent = null;
        for (byte[] tar : layers) {
            String diff = ImageStore.sha256(tar);
            String chain = LayerStore.chainId(parent, diff);
            try (StagedLayer s = store.layers().stage(new ByteArrayInputStream(tar), null)) {
                s.commit(chain, diff, parent);
            }
            chains.add(chain);
            parent = chain;
        }
        return chains;
    }

    @Test
    void hardlinkToAFileOfALowerLayerGetsItsOwnCopy() throws IOException {
        byte[] base = new TarBuilder().dir("etc").file("etc/data", "lower content", 0640).dir("lib").symlink("lib/cur", "../etc").build();
        byte[] middle = new TarBuilder().dir("opt").file("opt/other", "x").build();
        byte[] top = new TarBuilder().dir("bin").hardlink("bin/copy", "etc/data", 0644).hardlink("bin/again", "bin/copy", 0644)
                .hardlink("bin/via", "lib/cur/data", 0600).build();
        List<String> chains = commitChain(base, middle, top);
        Path lower = store.layers().diffDir(chains.get(0)).resolve("etc/data");
        Path copy = store.layers().diffDir(chains.get(2)).resolve("bin/copy");
        assertEquals("lower content", Files.readString(copy));
        assertEquals("lower content", Files.readString(copy.resolveSibling("again")));
        assertEquals("lower content", Files.readString(copy.resolveSibling("via")));
        assertEquals(1, (Integer) Files.getAttribute(lower, "unix:nlink"), "the lower layer's file is not linked to");
        assertEquals(2, (Integer) Files.getAttribute(copy, "unix:nlink"), "copy and again share the new layer's inode");
        assertEquals(0644, (Integer) Files.getAttribute(copy, "unix:mode") & 07777, "the link header's mode");
        assertEquals(0600, (Integer) Files.getAttribute(copy.resolveSibling("via"), "unix:mode") & 07777);
        assertStagingEmpty();
    }

    @Test
    void hardlinkIntoALowerLayerThatLeavesTheRootfsIsRefused() throws IOException {
        Path outside = Files.writeString(tmp.resolve("outside.txt"), "secret");
        int depth = tmp.relativize(store.layers().diffDir(A)).getNameCount();
        byte[] base = new TarBuilder().symlink("up", "../".repeat(depth + 2).replaceAll("/$", ""))
                .symlink("abs", tmp.toString()).file("f", "x").build();
        List<String> chains = commitChain(base);
        for (String target : new String[]{"up/" + tmp.toString().substring(1) + "/outside.txt", "abs/outside.txt"}) {
            byte[] top = new TarBuilder().hardlink("h", target).build();
            String diff = ImageStore.sha256(top);
            String chain = LayerStore.chainId(chains.get(0), diff);
            try (StagedLayer s = store.layers().stage(new ByteArrayInputStream(top), null)) {
                StorageException e = assertThrows(StorageException.class, () -> s.commit(chain, diff, chains.get(0)));
                assertTrue(e.getMessage().contains("layer entry \"h\"") && e.getMessage().contains("outside the rootfs"), e.getMessage());
            }
            assertFalse(store.layers().exists(chain), "the refused layer is not stored");
        }
        assertEquals("secret", Files.readString(outside));
        assertEquals(1, (Integer) Files.getAttribute(outside, "unix:nlink"));
        assertStagingEmpty();
        store.layers().remove(chains.get(0)); // its symlinks out of the temp dir would make JUnit's cleanup warn
    }

    @Test
    void hardlinkToAWhitedOutOrMissingLowerFileIsRefused() throws IOException {
        byte[] base = new TarBuilder().dir("etc").file("etc/gone", "x").dir("d").file("d/f", "y").build();
        byte[] middle = new TarBuilder().file("etc/.wh.gone", "").dir("d").file("d/.wh..wh..opq", "").build();
        List<String> chains = commitChain(base, middle);
        for (String target : new String[]{"etc/gone", "d/f", "no/such"}) {
            byte[] top = new TarBuilder().hardlink("h", target).build();
            String diff = ImageStore.sha256(top);
            String chain = LayerStore.chainId(chains.get(1), diff);
            try (StagedLayer s = store.layers().stage(new ByteArrayInputStream(top), null)) {
                StorageException e = assertThrows(StorageException.class, () -> s.commit(chain, diff, chains.get(1)));
                assertTrue(e.getMessage().contains("is neither an earlier entry of this layer nor a file of the layers below it"), e.getMessage());
            }
        }
        assertStagingEmpty();
    }
}
