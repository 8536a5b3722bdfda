package io.jpod.storage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContainerStoreTest {
    static final byte[] CONFIG = "{\"architecture\":\"amd64\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    static final String IMAGE = ImageStore.sha256(CONFIG);
    static final String ID1 = "abc" + "1".repeat(61);
    static final String ID2 = "abd" + "2".repeat(61);

    @TempDir
    Path tmp;
    Store store;
    ContainerStore containers;

    @BeforeEach
    void open() {
        store = Store.open(tmp.resolve("storage"));
        containers = store.containers();
        putImage(store);
    }

    /** Containers are created from an image in the store. */
    static void putImage(Store store) {
        store.images().put(IMAGE, "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8), CONFIG, null, List.of(), 0, null, null);
    }

    @AfterEach
    void close() {
        store.close();
    }

    /**
     * Records are parsed once per content of their file and shared (ContentCache): what another process (here
     * another Store, as a direct CLI command would open it) writes is what the next read returns, and a shared record
     * cannot be changed through its lists.
     */
    @Test
    void aChangeByAnotherStoreIsSeenByTheNextReadAndRecordsAreImmutable() {
        ContainerRecord r = containers.create(ID1, "web", IMAGE, "img", List.of("sh"));
        assertEquals(Optional.of(r), containers.get("web")); // read (and kept) before the change
        try (Store other = Store.open(tmp.resolve("storage"))) {
            ContainerRecord o = other.containers().get(ID1).orElseThrow();
            ContainerLifecycle.Config config = new ContainerLifecycle.Config("h", "root", "/", new java.util.ArrayList<>(List.of("A=1")),
                    List.of(), new java.util.LinkedHashMap<>(java.util.Map.of("k", "v")), false, false, false, false, null, null, null, null);
            other.containers().update(new ContainerRecord(o.id(), "api", o.imageId(), o.imageName(), o.command(), o.created(),
                    ContainerState.EXITED, 3, new ContainerLifecycle(null, null, null, null, null, null, config)));
        }
        assertEquals(Optional.empty(), containers.get("web"), "the old name is gone");
        ContainerRecord seen = containers.get("api").orElseThrow();
        assertEquals(ContainerState.EXITED, seen.state());
        assertEquals(3, seen.exitCode());
        assertEquals(List.of("A=1"), seen.lifecycle().config().env());
        assertThrows(UnsupportedOperationException.class, () -> seen.lifecycle().config().env().add("B=2"));
        assertThrows(UnsupportedOperationException.class, () -> seen.lifecycle().config().labels().put("x", "y"));
        assertThrows(UnsupportedOperationException.class, () -> seen.command().add("x"));
        try (Store other = Store.open(tmp.resolve("storage"))) {
            other.containers().remove(ID1);
        }
        assertEquals(Optional.empty(), containers.get(ID1), "removed by the other: gone here too");
    }

    @Test
    void createGetUpdateRemove() throws Exception {
        ContainerRecord r = containers.create(ID1, "web", IMAGE, "docker.io/library/nginx:latest", List.of("nginx", "-g", "daemon off;"));
        assertEquals(ContainerState.CREATED, r.state());
        assertNull(r.exitCode());
        for (Path d : new Path[] {containers.upperDir(ID1), containers.workDir(ID1), containers.mergedDir(ID1)}) {
            assertTrue(Files.isDirectory(d), d.toString());
        }
        assertEquals(store.root().resolve("containers").resolve(ID1), containers.dir(ID1));
        assertTrue(Files.isRegularFile(containers.dir(ID1).resolve("container.json")));
        assertEquals(Optional.of(r), containers.get(ID1));
        assertEquals(Optional.of(r), containers.get("web"));
        assertEquals(Optional.of(r), containers.get("abc1"));
        ContainerRecord exited = containers.update(new ContainerRecord(r.id(), r.name(), r.imageId(), r.imageName(),
                r.command(), r.created(), ContainerState.EXITED, 3));
        assertEquals(Optional.of(exited), containers.get("web"));
        containers.remove(ID1);
        assertEquals(Optional.empty(), containers.get("web"));
        assertFalse(Files.exists(containers.dir(ID1)));
        containers.remove(ID1); // missing is fine
    }

    @Test
    void aGeneratedNameTakenBeforeTheLockIsChosenAgainUnderIt() throws Exception {
        // the name is first chosen before the store lock; another creator takes it in between (here: inside the
        // first choice), so under the lock it is chosen again among the names in use then
        List<java.util.Set<String>> seen = new java.util.ArrayList<>();
        ContainerRecord r = containers.createWithGeneratedName(ID2, taken -> {
            seen.add(taken);
            if (seen.size() == 1) {
                containers.create(ID1, "first_choice", IMAGE, null, List.of());
                return "first_choice";
            }
            return "second_choice";
        }, IMAGE, null, List.of("true"));
        assertEquals("second_choice", r.name());
        assertEquals(2, seen.size());
        assertTrue(seen.get(1).contains("first_choice"), seen::toString);
        assertEquals("second_choice", containers.get(ID2).orElseThrow().name(), "the record on disk has the second name");
        assertEquals("first_choice", containers.get(ID1).orElseThrow().name());
        try (var staging = Files.list(store.root().resolve("tmp"))) {
            for (Path p : staging.filter(Files::isDirectory).toList()) {
                try (var left = Files.list(p)) {
                    assertEquals(List.of(), left.toList(), "nothing left staged in " + p);
                }
            }
        }
    }

    @Test
    void anUpdateOfARemovedContainerFailsAndLeavesNothing() throws Exception {
        ContainerRecord r = containers.create(ID1, "gone", IMAGE, null, List.of());
        containers.remove(ID1);
        StorageException e = assertThrows(StorageException.class, () -> containers.update(r));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertFalse(Files.exists(containers.dir(ID1)));
    }

    @Test
    void nameClash() {
        containers.create(ID1, "db", IMAGE, null, List.of());
        StorageException e = assertThrows(StorageException.class, () -> containers.create(ID2, "db", IMAGE, null, List.of()));
        assertEquals("the container name \"db\" is already in use by " + ID1.substring(0, 12)
                + "; choose another name with --name or remove that container", e.getMessage());
        assertFalse(Files.exists(containers.dir(ID2)), "nothing created");
        ContainerRecord other = containers.create(ID2, "db2", IMAGE, null, List.of());
        assertThrows(StorageException.class, () -> containers.update(new ContainerRecord(other.id(), "db", other.imageId(),
                null, List.of(), other.created(), ContainerState.CREATED, null)));
        assertThrows(StorageException.class, () -> containers.create(ID1, "fresh", IMAGE, null, List.of()), "duplicate id");
    }

    @Test
    void prefixesAndHostileInput() {
        containers.create(ID1, "one", IMAGE, null, List.of());
        containers.create(ID2, "two", IMAGE, null, List.of());
        StorageException e = assertThrows(StorageException.class, () -> containers.get("ab"));
        assertTrue(e.getMessage().contains("ambiguous"), e.getMessage());
        assertEquals("one", containers.get("abc").orElseThrow().name());
        assertEquals(Optional.empty(), containers.get("../../etc"));
        assertEquals(2, containers.list().size());
        for (String bad : new String[] {"../x", "a/b", "-x", "", "x y", "x\n"}) {
            assertThrows(StorageException.class, () -> containers.create("9".repeat(64), bad, IMAGE, null, List.of()), bad);
        }
        assertThrows(StorageException.class, () -> containers.create("../" + "9".repeat(61), "ok", IMAGE, null, List.of()));
        assertThrows(StorageException.class, () -> containers.dir("../../etc"));
        assertThrows(StorageException.class, () -> containers.remove("../../etc"));
    }
}
