package io.jpod.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.engine.EngineException;
import io.jpod.engine.image.ImageSummaryReport;
import io.jpod.engine.container.ContainerListReport;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** `ps --filter` and `images --filter`: podman's keys, alternatives within a key, all keys together. */
class FiltersTest {
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
    private static final String IMG = "sha256:" + "ab".repeat(32);

    private static ContainerListReport ctr(String name, int minute, String state, Integer exit, Map<String, String> labels) {
        return new ContainerListReport(name.repeat(64 / name.length() + 1).substring(0, 64).replaceAll("[^0-9a-f]", "a"), List.of(name),
                "docker.io/library/alpine:latest", IMG, List.of("sh"), T0.plusSeconds(60L * minute), io.jpod.storage.ContainerState.of(state),
                exit, 0, null, null, null, labels, List.of(), null, null, null, null);
    }

    private static final List<ContainerListReport> ALL = List.of(
            ctr("web", 3, "running", null, Map.of("app", "web", "tier", "front")),
            ctr("job", 2, "exited", 3, Map.of("app", "job")),
            ctr("db", 1, "exited", 0, Map.of()));

    private static List<String> ps(String... filters) {
        var f = PsFilter.of(List.of(filters), ALL);
        return ALL.stream().filter(f).map(ContainerListReport::name).toList();
    }

    @Test
    void containerFilters() {
        assertEquals(List.of("job", "db"), ps("status=exited"));
        assertEquals(List.of("web", "job"), ps("status=running", "status=exited", "label=app"));
        assertEquals(List.of("web"), ps("label=app", "label=tier=front"));
        assertEquals(List.of("job"), ps("exited=3"));
        assertEquals(List.of("web", "job", "db"), ps("ancestor=alpine"));
        assertEquals(List.of("web", "job", "db"), ps("ancestor=abab"));
        assertEquals(List.of(), ps("ancestor=busybox"));
        assertEquals(List.of("db"), ps("before=job"));
        assertEquals(List.of("web"), ps("since=job"));
        assertEquals(List.of("web", "db"), ps("name=^web$", "name=d"));
    }

    @Test
    void badContainerFiltersSayWhatIsAllowed() {
        for (String bad : new String[]{"status=up", "exited=x", "nokey", "color=red", "before=nosuch"}) {
            EngineException e = assertThrows(EngineException.class, () -> ps(bad), bad);
            assertTrue(e.getMessage().length() > 10, e.getMessage());
        }
    }

    private static ImageSummaryReport img(String hexChar, List<String> names, int minute) {
        return new ImageSummaryReport("sha256:" + hexChar.repeat(64), names, "sha256:" + hexChar.repeat(63) + "0",
                List.of("sha256:" + hexChar.repeat(63) + "0"), List.of(), 1, T0.plusSeconds(60L * minute),
                T0.plusSeconds(60L * minute), Map.of());
    }

    private static final List<ImageSummaryReport> IMAGES = List.of(
            img("a", List.of("docker.io/library/alpine:latest"), 1),
            img("b", List.of(), 2),
            img("c", List.of("localhost/app:1", "localhost/app:2"), 3));

    private static List<String> images(String... filters) {
        return ImageFilter.apply(IMAGES, List.of(filters)).stream().map(r -> r.id().substring(7, 8)).toList();
    }

    @Test
    void imageFilters() {
        assertEquals(List.of("b"), images("dangling=true"));
        assertEquals(List.of("a", "c"), images("dangling=false"));
        assertEquals(List.of("a", "c"), images("reference=alpine", "reference=app:2"));
        assertEquals(List.of(), images("reference=alpine", "dangling=true"));
        assertEquals(List.of("c"), images("id=ccc"));
        assertEquals(List.of("a"), images("digest=sha256:" + "a".repeat(63) + "0"));
        assertEquals(List.of("a", "b"), images("before=app:1"));
        assertEquals(List.of("b", "c"), images("since=alpine"));
        assertThrows(EngineException.class, () -> images("dangling=maybe"));
        assertThrows(EngineException.class, () -> images("label=x"));
    }
}
