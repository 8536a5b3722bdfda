package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.tests.support.BoundedProcess;
import io.jpod.tests.support.BuiltImage;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.LocalRegistry;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TestImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import io.jpod.tests.support.RegistryAndJpod;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Several jpod processes on one store: concurrent pulls of the same image both succeed and store it once; SIGKILL
 * at random points of `jpod pull` and `jpod run` never leaves the store inconsistent, the next command works, and the
 * leftovers of the killed processes are swept.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class StoreConcurrencyTest {
    private static final Duration T = Duration.ofSeconds(180);
    /** Fixed seed: a failure can be replayed with the same kill points. */
    private static final long SEED = 4242;
    private static final int ROUNDS = 10;

    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.empty();
    private static JpodEnv env; // set by FX
    private static LocalRegistry registry; // set by FX
    private static String image;
    private static int layers;

    @BeforeAll
    static void setUp() {
        // several layers with some bulk, so a kill has a fair chance of landing in the middle of a pull
        var b = TestImage.busybox();
        Random r = new Random(1);
        for (int i = 0; i < 5; i++) {
            byte[] bulk = new byte[3 << 20];
            r.nextBytes(bulk);
            int n = i;
            b.layer(l -> l.file("bulk/" + n, bulk, 0644));
        }
        BuiltImage built = b.build();
        layers = built.layers().size();
        registry.push(built, "jpod/concurrent", "latest");
        image = registry.hostPort() + "/jpod/concurrent:latest";
    }


    private static Result ok(String... args) {
        Result r = env.run(T, args);
        assertEquals(0, r.exitCode(), r::toString);
        return r;
    }

    private static List<String> layerDirs() throws IOException {
        try (Stream<Path> s = Files.list(env.storageRoot().resolve("overlay"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9a-f]{64}")).toList();
        }
    }

    @Test
    @Order(1)
    void twoPullsOfTheSameImageAtOnceBothSucceedAndStoreItOnce() throws IOException {
        ok("info"); // creates the pause process first, so the two pulls do not race to create it
        BoundedProcess a = env.start("pull", image);
        BoundedProcess b = env.start("pull", image);
        Result ra = a.await(T);
        Result rb = b.await(T);
        assertEquals(0, ra.exitCode(), ra::toString);
        assertEquals(0, rb.exitCode(), rb::toString);
        assertEquals(ra.stdout(), rb.stdout(), "both print the same image id");
        assertEquals(layers, layerDirs().size(), "each layer stored once");
        Result images = ok("images", "-q");
        assertEquals(1, images.stdout().lines().filter(l -> !l.isBlank()).count(), images::toString);
        assertTrue(ok("system", "check").stdout().contains("no problems"));
    }

    @Test
    @Order(2)
    void sigkillAtRandomPointsNeverCorruptsTheStore() throws IOException {
        Random random = new Random(SEED);
        List<String> log = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            boolean pull = round % 2 == 0;
            if (pull) {
                ok("system", "prune", "-a", "-f"); // so the pull has everything to do again
            }
            BoundedProcess p = pull ? env.start("pull", image)
                    : env.start("run", "--rm", "--network", "none", image, "sh", "-c", "echo x > /f; cat /bulk/0 > /copy");
            long delay = pull ? 200 + random.nextInt(2300) : 150 + random.nextInt(1050);
            try {
                // the injected fault: a random moment of the command's life, not a synchronisation
                p.process().waitFor(delay, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            boolean finished = !p.process().isAlive();
            p.killTree();
            log.add((pull ? "pull" : "run") + " killed after " + delay + " ms" + (finished ? " (had finished)" : ""));

            Result check = env.run(T, "system", "check");
            assertEquals(0, check.exitCode(), () -> "inconsistent after: " + log + check);
            Result next = env.run(T, "run", "--rm", "--network", "none", image, "cat", "/etc/passwd");
            assertEquals(0, next.exitCode(), () -> "the next command failed after: " + log + next);
        }
        Result check = ok("system", "check");
        assertTrue(check.exitCode() == 0, check::toString);
        try (Stream<Path> s = Files.list(env.storageRoot().resolve("tmp"))) {
            List<Path> left = s.toList();
            assertEquals(List.of(), left, () -> "staging leftovers of killed processes were not swept: " + log);
        }
        System.out.println("[StoreConcurrencyTest] " + log);
    }
}
