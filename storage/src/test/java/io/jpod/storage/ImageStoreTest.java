package io.jpod.storage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageStoreTest {
    static final String LAYER = "sha256:" + "1".repeat(64);

    @TempDir
    Path tmp;
    Store store;
    ImageStore images;

    @BeforeEach
    void open() {
        store = Store.open(tmp.resolve("storage"));
        images = store.images();
    }

    @AfterEach
    void close() {
        store.close();
    }

    /** Two configs whose ids share the given hex prefix (found by varying a counter), so prefix tests are deterministic. */
    static List<byte[]> twoConfigsWithPrefix(String prefix) {
        List<byte[]> found = new java.util.ArrayList<>();
        for (int i = 0; found.size() < 2; i++) {
            byte[] c = ("{\"architecture\":\"amd64\",\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
            if (ImageStore.sha256(c).startsWith("sha256:" + prefix)) {
                found.add(c);
            }
        }
        return found;
    }

    static byte[] config(String tag) {
        return ("{\"architecture\":\"amd64\",\"tag\":\"" + tag + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    ImageRecord put(byte[] config, String name, String digestName) {
        byte[] manifest = ("{\"config\":\"" + ImageStore.sha256(config) + "\"}").getBytes(StandardCharsets.UTF_8);
        return images.put(ImageStore.sha256(config), manifest, config, ImageStore.sha256(manifest), List.of(LAYER), 1234, name, digestName);
    }

    @Test
    void putAndGetByIdNameAndDigest() throws Exception {
        byte[] config = config("one");
        String id = ImageStore.sha256(config);
        ImageRecord r = put(config, "docker.io/library/alpine:latest", "docker.io/library/alpine@sha256:" + "d".repeat(64));
        assertEquals(id, r.id());
        assertEquals(List.of("docker.io/library/alpine:latest"), r.names());
        assertEquals(List.of(LAYER), r.layers());
        assertEquals(1234, r.size());
        assertNotNull(r.created());
        assertEquals(Optional.of(r), images.get(id));
        assertEquals(Optional.of(r), images.get(id.substring(7)));
        assertEquals(Optional.of(r), images.get(id.substring(7, 10)), "3-digit prefix");
        assertEquals(Optional.of(r), images.get("sha256:" + id.substring(7, 19)));
        assertEquals(Optional.of(r), images.get("docker.io/library/alpine:latest"));
        assertEquals(Optional.of(r), images.get("docker.io/library/alpine@sha256:" + "d".repeat(64)));
        assertEquals(Optional.of(r), images.get("docker.io/library/alpine@" + r.manifestDigest()), "repo@manifest digest");
        assertEquals(Optional.empty(), images.get(id.substring(7, 9)), "2 digits are not enough");
        assertEquals(Optional.empty(), images.get("docker.io/library/alpine:3"));
        assertEquals(Optional.empty(), images.get("../../etc/passwd"));
        assertEquals(Optional.empty(), images.get(""));
        assertArrayEquals(config, images.config(id));
        assertTrue(new String(images.manifest(id), StandardCharsets.UTF_8).contains(id));
        String json = Files.readString(store.root().resolve("images").resolve(id.substring(7)).resolve("image.json"));
        assertTrue(json.matches("(?s).*\"created\" : \"\\d{4}-\\d\\d-\\d\\dT.*Z\".*"), "ISO instant: " + json);
    }

    @Test
    void putMergesNamesOfTheSameImageAndKeepsCreated() {
        byte[] config = config("merge");
        ImageRecord first = put(config, "r/a:1", null);
        ImageRecord second = put(config, "r/a:2", "r/a@sha256:" + "e".repeat(64));
        assertEquals(List.of("r/a:1", "r/a:2"), second.names());
        assertEquals(List.of("r/a@sha256:" + "e".repeat(64)), second.digests());
        assertEquals(first.created(), second.created());
        assertEquals(second.names(), put(config, "r/a:1", null).names(), "no duplicates");
        assertEquals(1, images.list().size());
    }

    /** A name added or moved by another process (another Store) is what the next read here shows. */
    @Test
    void namesChangedByAnotherStoreAreSeenByTheNextRead() {
        byte[] c1 = "{\"architecture\":\"amd64\",\"n\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] c2 = "{\"architecture\":\"amd64\",\"n\":2}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String one = ImageStore.sha256(c1), two = ImageStore.sha256(c2);
        ImageStore images = store.images();
        images.put(one, "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8), c1, null, List.of(), 1, "localhost/a:1", null);
        assertEquals(List.of("localhost/a:1"), images.get(one).orElseThrow().names());
        assertEquals(1, images.list().size());
        try (Store other = Store.open(store.root())) {
            other.images().put(two, "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8), c2, null, List.of(), 1, "localhost/a:1", null);
        }
        assertEquals(List.of(), images.get(one).orElseThrow().names(), "the name moved away from it");
        assertEquals(two, images.get("localhost/a:1").orElseThrow().id());
        assertEquals(2, images.list().size());
        assertThrows(UnsupportedOperationException.class, () -> images.get(two).orElseThrow().names().add("x"));
    }

    @Test
    void aNameMovesToTheNewImage() {
        ImageRecord old = put(config("old"), "r/app:latest", "r/app@sha256:" + "f".repeat(64));
        put(config("old"), "r/app:v1", null);
        ImageRecord neu = put(config("new"), "r/app:latest", "r/app@sha256:" + "f".repeat(64));
        assertEquals(neu.id(), images.get("r/app:latest").orElseThrow().id());
        ImageRecord oldNow = images.get(old.id()).orElseThrow();
        assertEquals(List.of("r/app:v1"), oldNow.names(), "latest moved away");
        assertEquals(List.of(), oldNow.digests());
        assertEquals(2, images.list().size());
        assertEquals(neu.id(), images.list().get(0).id(), "newest first");
    }

    @Test
    void ambiguousPrefixIsAnError() {
        List<byte[]> two = twoConfigsWithPrefix("abc");
        byte[] a = two.get(0);
        byte[] b = two.get(1);
        ImageRecord ra = put(a, null, null);
        ImageRecord rb = put(b, null, null);
        StorageException e = assertThrows(StorageException.class, () -> images.get("abc"));
        assertTrue(e.getMessage().contains("ambiguous"), e.getMessage());
        assertEquals(ra.id(), images.get(ra.id().substring(7, 40)).orElseThrow().id());
        assertEquals(rb.id(), images.get(rb.id()).orElseThrow().id());
    }

    @Test
    void configMustMatchTheId() {
        byte[] config = config("x");
        StorageException e = assertThrows(StorageException.class, () -> images.put("sha256:" + "0".repeat(64), new byte[0],
                config, null, List.of(), 0, "n:1", null));
        assertTrue(e.getMessage().contains("the image is corrupt"), e.getMessage());
        assertThrows(StorageException.class, () -> images.put("sha256:../../x", new byte[0], config, null, List.of(), 0, null, null));
        assertThrows(StorageException.class, () -> images.put(ImageStore.sha256(config), new byte[0], config, null,
                List.of("sha256:nothex"), 0, null, null));
        assertThrows(StorageException.class, () -> images.put(ImageStore.sha256(config), new byte[0], config, null,
                List.of(), 0, "bad\nname", null));
        assertEquals(List.of(), images.list());
    }

    @Test
    void removeAndMissingImages() {
        ImageRecord r = put(config("rm"), "r/rm:1", null);
        images.remove(r.id());
        assertEquals(Optional.empty(), images.get(r.id()));
        assertEquals(Optional.empty(), images.get("r/rm:1"));
        images.remove(r.id());
        StorageException e = assertThrows(StorageException.class, () -> images.config(r.id()));
        assertTrue(e.getMessage().contains("not in storage"), e.getMessage());
    }

    @Test
    void anImageInUseByAContainerIsNotRemoved() {
        ImageRecord r = put(config("used"), "r/used:1", null);
        String cid = "c".repeat(64);
        store.containers().create(cid, "user", r.id(), "r/used:1", List.of("sh"));
        StorageException e = assertThrows(StorageException.class, () -> images.remove(r.id()));
        assertTrue(e.getMessage().contains("in use by container user"), e.getMessage());
        assertTrue(images.get(r.id()).isPresent(), "still there");
        store.containers().remove(cid);
        images.remove(r.id());
        assertEquals(Optional.empty(), images.get(r.id()));
    }

    @Test
    void removeRacingWithContainerCreationNeverLeavesAContainerWithoutItsImage() throws Exception {
        // the two sides of `jpod rmi` during `jpod run`, many times: either rmi fails or the container never existed
        for (int i = 0; i < 20; i++) {
            ImageRecord r = put(config("race" + i), "r/race:" + i, null);
            String cid = String.format("%064x", i + 1);
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.atomic.AtomicReference<Throwable> rmi = new java.util.concurrent.atomic.AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    go.await();
                    images.remove(r.id());
                } catch (Throwable ex) {
                    rmi.set(ex);
                }
            });
            t.start();
            go.countDown();
            boolean created;
            try {
                store.containers().create(cid, "race" + i, r.id(), null, List.of());
                created = true;
            } catch (StorageException ex) {
                assertTrue(ex.getMessage().contains("no longer in storage"), ex.getMessage());
                created = false;
            }
            t.join(60_000);
            boolean imageThere = images.get(r.id()).isPresent();
            if (rmi.get() == null) {
                assertTrue(!imageThere && !created, "rmi succeeded, so the image is gone and no container was made from it");
            } else {
                assertTrue(rmi.get() instanceof StorageException && imageThere && created, () -> "rmi failed uncleanly: " + rmi.get());
            }
            store.containers().remove(cid);
        }
    }

    @Test
    void damagedRecordsDoNotBreakListing() throws Exception {
        ImageRecord good = put(config("good"), "r/good:1", null);
        Path bad = Files.createDirectories(store.root().resolve("images").resolve("9".repeat(64)));
        Files.writeString(bad.resolve("image.json"), "{not json");
        Files.createDirectories(store.root().resolve("images").resolve("8".repeat(64))); // interrupted put
        assertEquals(List.of(good.id()), images.list().stream().map(ImageRecord::id).toList());
        assertFalse(images.get("9".repeat(64)).isPresent());
    }
}
