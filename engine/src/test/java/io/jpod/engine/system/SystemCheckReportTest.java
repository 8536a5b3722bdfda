package io.jpod.engine.system;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jpod.storage.StoreCheck;
import java.util.List;
import org.junit.jupiter.api.Test;

/** `system check` prints the engine's report as it printed storage's: the same line per problem. */
class SystemCheckReportTest {
    @Test
    void aProblemReadsAsTheStoresCheckWroteIt() {
        for (boolean repaired : new boolean[]{false, true}) {
            assertEquals(new StoreCheck.Problem("orphan-layer", "abc", "no image uses it", repaired).toString(),
                    new SystemCheckReport.Problem("orphan-layer", "abc", "no image uses it", repaired).toString());
        }
        assertEquals("broken-image sha256:1: layer missing (repaired)",
                new SystemCheckReport.Problem("broken-image", "sha256:1", "layer missing", true).toString());
    }

    @Test
    void theProblemsAreACopy() {
        List<SystemCheckReport.Problem> problems = new java.util.ArrayList<>();
        SystemCheckReport r = new SystemCheckReport(1, 2, 3, problems, true);
        problems.add(new SystemCheckReport.Problem("k", "s", "d", false));
        assertEquals(0, r.problems().size());
    }
}
