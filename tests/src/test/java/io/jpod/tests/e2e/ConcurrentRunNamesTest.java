package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.tests.support.BoundedProcess;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue #16 item 4: generated names are picked under the store lock, so many `run --rm` at once never collide
 * (before: 3 of 50 failed with "the container name … is already in use").
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ConcurrentRunNamesTest {
    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("library/names");
    private static JpodEnv env; // set by FX

    private static final int RUNS = 100;
    /** Two batches of 50 concurrent JVMs: enough overlap to race on every name pick, bounded on a 2-core machine. */
    private static final int BATCH = 50;

    @Test
    void hundredConcurrentRunsGetDistinctGeneratedNames() {
        List<String> names = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (int done = 0; done < RUNS; done += BATCH) {
            List<BoundedProcess> batch = new ArrayList<>();
            for (int i = 0; i < BATCH; i++) {
                // the name is in the generated /etc/hosts: "127.0.1.1 <hostname> <name>" with --network none
                batch.add(env.start("run", "--rm", "--network", "none", FX.image(), "grep", "^127.0.1.1", "/etc/hosts"));
            }
            for (BoundedProcess p : batch) {
                Result r = p.await(Duration.ofMinutes(4));
                String[] fields = r.stdout().strip().split("\\s+");
                if (r.exitCode() != 0 || fields.length != 3) {
                    failures.add(r.toString());
                } else {
                    names.add(fields[2]);
                }
            }
        }
        assertEquals(List.of(), failures, "every run succeeds");
        Set<String> distinct = new HashSet<>(names);
        assertEquals(RUNS, distinct.size(), "distinct names: " + names);
        assertTrue(names.stream().allMatch(n -> n.matches("[a-z]+_[a-z]+")), "adjective_noun names: " + names);
        assertEquals("", env.ok("ps", "-a", "-q").stdout().strip(), "--rm removed them all");
    }
}
