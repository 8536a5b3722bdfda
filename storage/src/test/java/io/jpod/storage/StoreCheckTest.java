package io.jpod.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreCheckTest {
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

    /** Stores an image of {@code files.length} layers (one file each); returns its record. */
    static ImageRecord image(Store store, String tag, String... files) throws IOException {
        List<String> chain = new ArrayList<>();
        StringBuilder diffIds = new StringBuilder();
        String parent = null;
        for (String f : files) {
            byte[] tar = new TarBuilder().file(f, f).build();
            try (StagedLayer staged = store.layers().stage(new ByteArrayInputStream(tar), null)) {
                String c = LayerStore.chainId(parent, staged.diffId());
                staged.commit(c, staged.diffId(), parent);
                chain.add(c);
                diffIds.append(diffIds.length() == 0 ? "" : ",").append('"').append(staged.diffId()).append('"');
                parent = c;
            }
        }
        byte[] config = ("{\"architecture\":\"amd64\",\"tag\":\"" + tag + "\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":["
                + diffIds + "]}}").getBytes(StandardCharsets.UTF_8);
        return store.images().put(ImageStore.sha256(config), "{}".getBytes(StandardCharsets.UTF_8), config, null, chain, 1,
                "r/" + tag + ":1", null);
    }

    private static Set<String> kinds(StoreCheck.Report r) {
        return r.problems().stream().map(StoreCheck.Problem::kind).collect(Collectors.toSet());
    }

    @Test
    void aHealthyStoreIsConsistent() throws IOException {
        image(store, "a", "x", "y");
        image(store, "b", "x", "z"); // shares the base layer
        StoreCheck.Report r = new StoreCheck(store).run(false);
        assertEquals(List.of(), r.problems());
        assertEquals(2, r.images());
        assertEquals(3, r.layers());
        assertTrue(r.consistent());
    }

    @Test
    void damageIsFoundAndRepaired() throws IOException {
        ImageRecord a = image(store, "a", "x", "y");
        ImageRecord b = image(store, "b", "p", "q");
        image(store, "c", "orphan1");
        store.images().remove(store.images().get("r/c:1").orElseThrow().id()); // leaves an orphan layer
        Path overlay = store.root().resolve("overlay");
        // break image b: its top layer disappears
        Path top = overlay.resolve(b.layers().get(1).substring(7));
        String topLink = Files.readString(top.resolve("link")).strip();
        store.layers().remove(b.layers().get(1));
        // a dangling short link, a missing one, a torn write, an interrupted put, a stray entry
        Files.createSymbolicLink(overlay.resolve("l/ABCDEFGHIJKLMNOPQRSTUVWXYZ"), Path.of("../" + "f".repeat(64) + "/diff"));
        String aBase = Files.readString(overlay.resolve(a.layers().get(0).substring(7)).resolve("link")).strip();
        Files.delete(overlay.resolve("l").resolve(aBase));
        Files.writeString(store.root().resolve("images").resolve(a.id().substring(7)).resolve(".tmp-image.json-abc"), "{");
        Files.createDirectories(store.root().resolve("images").resolve("e".repeat(64)));
        Files.createDirectories(overlay.resolve("junk"));

        StoreCheck.Report found = new StoreCheck(store).run(false);
        assertFalse(found.consistent());
        assertEquals(Set.of("orphan-layer", "broken-image", "dangling-link", "missing-link", "leftover", "incomplete-image",
                "unknown-entry"), kinds(found), found.problems()::toString);
        assertFalse(Files.exists(overlay.resolve("l").resolve(topLink)));

        StoreCheck.Report repaired = new StoreCheck(store).run(true);
        assertTrue(repaired.consistent(), repaired.problems()::toString);
        StoreCheck.Report after = new StoreCheck(store).run(false);
        assertEquals(List.of(), after.problems());
        assertTrue(store.images().get(a.id()).isPresent(), "the healthy image survives");
        assertFalse(store.images().get(b.id()).isPresent(), "the broken image is removed");
        assertEquals(List.copyOf(a.layers()).stream().sorted().toList(), store.layers().list(), "only image a's layers remain");
        assertTrue(Files.isSymbolicLink(overlay.resolve("l").resolve(aBase)), "the missing short link is recreated");
    }

    @Test
    void aBrokenImageUsedByAContainerIsKept() throws IOException {
        ImageRecord a = image(store, "a", "x");
        store.containers().create("d".repeat(64), "user", a.id(), null, List.of());
        store.layers().remove(a.layers().get(0));
        StoreCheck.Report r = new StoreCheck(store).run(true);
        assertFalse(r.consistent());
        assertTrue(store.images().get(a.id()).isPresent());
        assertTrue(kinds(r).contains("broken-container"), r.problems()::toString);
    }
}
