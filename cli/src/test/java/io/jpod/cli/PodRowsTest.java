package io.jpod.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jpod.engine.pod.PodListReport;
import io.jpod.storage.ContainerState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** `pod ps`'s JSON and template fields are made from one report row, the infra listed first. */
class PodRowsTest {
    private static final String POD = "a".repeat(64);
    private static final String INFRA = "b".repeat(64);
    private static final String MEMBER = "c".repeat(64);

    private static PodListReport row() {
        return new PodListReport(POD, "web", Instant.parse("2026-12-06T22:00:00Z"), Map.of("app", "x"), "Degraded", INFRA,
                "aaaaaaaaaaaa-infra", ContainerState.RUNNING, List.of(new PodListReport.Member(MEMBER, "web-app", ContainerState.EXITED)));
    }

    @Test
    void jsonIsPodmansObject() {
        assertEquals("{\"Cgroup\":\"\",\"Containers\":[{\"Id\":\"" + INFRA + "\",\"Names\":\"aaaaaaaaaaaa-infra\",\"Status\":\"running\"},"
                        + "{\"Id\":\"" + MEMBER + "\",\"Names\":\"web-app\",\"Status\":\"exited\"}],\"Created\":\"2026-12-06T22:00:00Z\","
                        + "\"Id\":\"" + POD + "\",\"InfraId\":\"" + INFRA + "\",\"Name\":\"web\",\"Namespace\":\"\",\"Networks\":[],"
                        + "\"Status\":\"Degraded\",\"Labels\":{\"app\":\"x\"}}",
                Formats.compactJson(PodRows.json(row())));
    }

    @Test
    void templateFieldsCountTheInfraAndCutIds() {
        Map<String, Object> m = PodRows.template(row(), false);
        assertEquals("aaaaaaaaaaaa", m.get("ID"));
        assertEquals("bbbbbbbbbbbb", m.get("InfraID"));
        assertEquals(2, m.get("NumberOfContainers"));
        assertEquals("bbbbbbbbbbbb,cccccccccccc", m.get("ContainerIds"));
        assertEquals("aaaaaaaaaaaa-infra,web-app", m.get("ContainerNames"));
        assertEquals("running,exited", m.get("ContainerStatuses"));
        assertEquals(MEMBER.substring(0, 12), ((String) PodRows.template(row(), false).get("ContainerIds")).split(",")[1]);
        assertEquals(INFRA + "," + MEMBER, PodRows.template(row(), true).get("ContainerIds"));
    }

    @Test
    void aPodWithoutInfraListsOnlyItsContainers() {
        PodListReport r = new PodListReport(POD, "solo", null, Map.of(), "Created", null, null, null, List.of());
        assertEquals("", PodRows.json(r).get("InfraId"));
        assertEquals(List.of(), PodRows.json(r).get("Containers"));
        assertEquals(0, PodRows.template(r, false).get("NumberOfContainers"));
        assertEquals("", PodRows.template(r, false).get("InfraID"));
    }
}
