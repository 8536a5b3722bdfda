package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.tests.support.Await;
import io.jpod.tests.support.BoundedProcess;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ConcurrentRunNamesTest {
    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("library/names");
    private static JpodEnv env; // set by FX

    private static final int RUNS = 100;
    /**
     * Started 25 at a time, each batch once the previous one's containers exist: every name pick races with others
     * (the old code lost 3 of 50), while a run costs about a CPU-second, so 100 take 1-2 minutes on two idle cores;
     * the bound (8 min) leaves room for a machine shared with other builds.
     */
    private static final int BATCH = 25;
    private static final Duration ALL_RUNS = Duration.ofMinutes(8);

    @Test
    void hundredConcurrentRunsGetDistinctGeneratedNames() throws IOException {
        // every container stays until all 100 exist, so their names must all differ (a removed one's may come back)
        Path barrier = FX.scratchDir("names-barrier");
        String waitForBarrier = "grep ^127.0.1.1 /etc/hosts; while [ ! -e /barrier/go ]; do sleep 1; done";
        long start = System.nanoTime();
        long deadline = start + ALL_RUNS.toNanos();
        List<BoundedProcess> all = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        try {
            for (int done = 0; done < RUNS; done += BATCH) {
                List<BoundedProcess> batch = new ArrayList<>();
                for (int i = 0; i < BATCH; i++) {
                    // with --network none the generated /etc/hosts has "127.0.1.1 <hostname> <name>"
                    batch.add(env.start("run", "--rm", "--network", "none", "-v", barrier + ":/barrier:ro", FX.image(),
                            "sh", "-c", waitForBarrier));
                }
                all.addAll(batch);
                Await.await("a batch of containers to print their names", Duration.ofNanos(Math.max(1, deadline - System.nanoTime())),
                        () -> batch.stream().allMatch(p -> p.stdoutSoFar().contains("127.0.1.1") || !p.process().isAlive()));
            }
        } finally {
            Files.createFile(barrier.resolve("go"));
            for (BoundedProcess p : all) {
                Result r = p.await(Duration.ofNanos(Math.max(1, deadline + Duration.ofMinutes(1).toNanos() - System.nanoTime())));
                String[] fields = r.stdout().strip().split("\\s+");
                if (r.exitCode() != 0 || fields.length != 3) {
                    failures.add(r.toString());
                } else {
                    names.add(fields[2]);
                }
            }
        }
        System.out.printf("ConcurrentRunNamesTest: %d runs in %d s%n", RUNS, (System.nanoTime() - start) / 1_000_000_000L);
        assertEquals(List.of(), failures, "every run succeeds");
        Set<String> distinct = new HashSet<>(names);
        assertEquals(RUNS, distinct.size(), "distinct names: " + names);
        assertTrue(names.stream().allMatch(n -> n.matches("[a-z]+_[a-z]+")), "adjective_noun names: " + names);
        assertEquals("", env.ok("ps", "-a", "-q").stdout().strip(), "--rm removed them all");
    }
}
