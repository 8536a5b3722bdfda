package io.jpod.storage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lifecycle part of container.json: round trip, and records of older (and newer) jpod versions still read. */
class ContainerLifecycleRecordTest {
    static final String IMAGE = ContainerStoreTest.IMAGE;
    static final String ID = "abc" + "1".repeat(61);

    @TempDir
    Path tmp;
    Store store;

    @BeforeEach
    void open() {
        store = Store.open(tmp.resolve("storage"));
        ContainerStoreTest.putImage(store); // a container needs its image in the store
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void lifecycleSurvivesAnUpdate() {
        ContainerRecord r = store.containers().create(ID, "web", IMAGE, "img", List.of("sh"));
        assertNull(r.lifecycle());
        ContainerLifecycle.Config config = new ContainerLifecycle.Config("h", "root", "/", List.of("A=1"), List.of(),
                Map.of("k", "v"), true, false, true, true, "SIGINT", 3, "none", "vfs");
        Instant start = Instant.parse("2026-11-25T08:00:00Z");
        ContainerLifecycle lc = new ContainerLifecycle(10L, 20L, 30L, start, null, null, config);
        store.containers().update(new ContainerRecord(r.id(), r.name(), r.imageId(), r.imageName(), r.command(), r.created(),
                ContainerState.RUNNING, null, lc));
        ContainerRecord back = store.containers().get(ID).orElseThrow();
        assertEquals(lc, back.lifecycle());
        ContainerLifecycle ended = back.lifecycle().withEnd(start.plusSeconds(5), "why");
        assertEquals(start.plusSeconds(5), ended.finishedAt());
        assertEquals(config, ended.config());
    }

    @Test
    void serviceMarkAndPodLinkSurviveTheStoreAndOldRecordsReadWithout() throws Exception {
        ContainerRecord r = store.containers().create(ID, "abc-service", IMAGE, "img", List.of("/catatonit", "-P"));
        ContainerLifecycle.Config plain = new ContainerLifecycle.Config("h", "root", "/", List.of(), List.of(), Map.of(), false, false,
                false, false, null, null, "none", "vfs");
        assertNull(plain.service());
        store.containers().update(new ContainerRecord(r.id(), r.name(), r.imageId(), r.imageName(), r.command(), r.created(),
                ContainerState.CREATED, null, new ContainerLifecycle(null, null, null, null, null, null, plain.asService())));
        assertEquals(Boolean.TRUE, store.containers().get(ID).orElseThrow().lifecycle().config().service());

        String podId = "def" + "2".repeat(61);
        store.pods().create(new PodRecord(podId, "p", Instant.parse("2026-12-06T22:00:00Z"), Map.of(), null, List.of(), List.of(),
                null, null, List.of(), List.of(), List.of(), List.of(), null, "stop", null, ID));
        assertEquals(ID, store.pods().get("p").orElseThrow().serviceContainerId());
        Path podJson = store.pods().dir(podId).resolve("pod.json");
        String written = Files.readString(podJson);
        assertTrue(written.contains(ID), written);
        Files.writeString(podJson, written.replaceAll(",\\s*\"serviceContainerId\"\\s*:\\s*\"[0-9a-f]+\"", ""));
        assertNull(store.pods().get("p").orElseThrow().serviceContainerId(), "a pod of an older jpod has no service container");
    }

    @Test
    void oldAndNewerRecordsRead() throws Exception {
        store.containers().create(ID, "web", IMAGE, "img", List.of("sh"));
        Path json = store.containers().dir(ID).resolve("container.json");
        Files.writeString(json, "{\"id\":\"" + ID + "\",\"name\":\"web\",\"imageId\":\"" + IMAGE + "\",\"imageName\":\"img\","
                + "\"command\":[\"sh\"],\"created\":\"2026-11-25T08:00:00Z\",\"state\":\"exited\",\"exitCode\":3}");
        ContainerRecord old = store.containers().get(ID).orElseThrow();
        assertNull(old.lifecycle());
        assertEquals(3, old.exitCode());
        Files.writeString(json, "{\"id\":\"" + ID + "\",\"name\":\"web\",\"imageId\":\"" + IMAGE + "\",\"imageName\":\"img\","
                + "\"command\":[\"sh\"],\"state\":\"running\",\"future\":1,"
                + "\"lifecycle\":{\"monitorPid\":7,\"oomKilled\":false,\"config\":{\"tty\":true,\"later\":\"x\"}}}");
        ContainerRecord newer = store.containers().get(ID).orElseThrow();
        assertEquals(7L, newer.lifecycle().monitorPid());
        assertEquals(true, newer.lifecycle().config().tty());
    }
}
