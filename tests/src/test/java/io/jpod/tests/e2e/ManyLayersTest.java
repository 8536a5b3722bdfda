package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.LocalRegistry;
import io.jpod.tests.support.OciImageBuilder;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TestImage;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import io.jpod.tests.support.RegistryAndJpod;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An image of 121 layers mounts with both overlay drivers: with full paths the kernel overlay's lowerdir option would
 * be far over its one-page limit, so jpod names the layers by their short links (l/XXXX), as containers/storage does.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ManyLayersTest {
    private static final int EXTRA = 120;
    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.empty();
    private static JpodEnv env; // set by FX
    private static LocalRegistry registry; // set by FX
    private static String image;

    @BeforeAll
    static void setUp() {
        OciImageBuilder b = TestImage.busybox();
        for (int i = 0; i < EXTRA; i++) {
            String n = String.format("%03d", i);
            // each layer adds its own file and replaces a shared one, so the order of the layers shows too
            b.layer(l -> l.file("layers/" + n, n).file("layers/top", n));
        }
        registry.push(b.build(), "jpod/many", "latest");
        image = registry.hostPort() + "/jpod/many:latest";
        Result pull = env.run(Duration.ofSeconds(300), "pull", image);
        assertEquals(0, pull.exitCode(), pull::toString);
    }


    @ParameterizedTest(name = "storage driver {0}")
    @ValueSource(strings = {"overlay", "fuse-overlayfs"})
    void aHundredAndTwentyOneLayersMount(String driver) {
        Result r = env.run(Duration.ofSeconds(120), "--storage-driver", driver, "run", "--rm", "--network", "none", image,
                "sh", "-c", "ls /layers | wc -l; cat /layers/top; echo; cat /layers/000");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(String.format("%d%n119%n000", EXTRA + 1), r.stdout().strip(), r::toString);
    }
}
