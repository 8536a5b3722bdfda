package io.jpod.engine.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.engine.EngineException;
import io.jpod.engine.NoSuchVolumeException;
import io.jpod.storage.Store;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The volume service's reports and options over a real store in a temporary directory. */
class StoreVolumeServiceTest {
    @TempDir
    Path tmp;

    private final List<String> removedContainers = new ArrayList<>();

    private VolumeService service(Store store) {
        return new StoreVolumeService(new Volumes(store, tmp.resolve("volumes")), (id, stop) -> removedContainers.add(id));
    }

    @Test
    void createReportsWhatInspectAndListShow() {
        try (Store store = Store.open(tmp.resolve("root"))) {
            VolumeService v = service(store);
            VolumeReport r = v.create(new VolumeCreateOptions("data", Map.of("a", "1"), Map.of(), false));
            assertEquals("data", r.name());
            assertEquals(Map.of("a", "1"), r.labels());
            assertTrue(r.mountpoint().startsWith(tmp.resolve("volumes")), r.mountpoint().toString());
            assertTrue(r.needsCopyUp() && r.needsChown(), "a new volume was never mounted");
            assertEquals(r, v.inspect("data"));
            assertTrue(v.exists("data"));
            v.create(VolumeCreateOptions.named("other", Map.of()));
            assertEquals(List.of("data"), v.list(x -> x.labels().containsKey("a")).stream().map(VolumeReport::name).toList());
            assertEquals(2, v.list(x -> true).size());
        }
    }

    @Test
    void anExistingNameIsAnErrorUnlessAskedToReuseIt() {
        try (Store store = Store.open(tmp.resolve("root"))) {
            VolumeService v = service(store);
            VolumeReport first = v.create(VolumeCreateOptions.named("data", Map.of("a", "1")));
            EngineException e = assertThrows(EngineException.class, () -> v.create(VolumeCreateOptions.named("data", Map.of())));
            assertTrue(e.getMessage().contains("already exists"), e.getMessage());
            assertEquals(first, v.create(new VolumeCreateOptions("data", Map.of("b", "2"), Map.of(), true)));
        }
    }

    @Test
    void removeAndPruneReportWhatWent() {
        try (Store store = Store.open(tmp.resolve("root"))) {
            VolumeService v = service(store);
            v.create(VolumeCreateOptions.named("a", Map.of()));
            v.create(VolumeCreateOptions.named("b", Map.of("keep", "")));
            v.create(VolumeCreateOptions.named("c", Map.of()));
            v.remove("a", VolumeRemoveOptions.cli(true, 10));
            assertFalse(v.exists("a"));
            assertEquals(List.of(), removedContainers, "no container used it");
            assertThrows(NoSuchVolumeException.class, () -> v.remove("a", VolumeRemoveOptions.cli(false, 10)));
            assertEquals(List.of("c"), v.pruneCandidates(x -> !x.labels().containsKey("keep")));
            assertEquals(new VolumePruneReport(List.of("c")), v.prune(x -> !x.labels().containsKey("keep")));
            assertEquals(List.of("b"), v.list(x -> true).stream().map(VolumeReport::name).toList());
        }
    }
}
