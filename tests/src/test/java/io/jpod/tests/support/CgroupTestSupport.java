package io.jpod.tests.support;

import java.time.Duration;

/**
 * What the cgroup tests (CgroupsTest, CgroupsV2Test, PodCgroupsTest) set up and tear down besides their delegated
 * cgroups: a local registry holding busybox, pulled into the test's jpod.
 */
public final class CgroupTestSupport {
    /** The name {@link #busyboxPulled} pushes busybox under, below the registry's host:port. */
    public static final String BUSYBOX = "library/busybox:latest";

    private CgroupTestSupport() {
    }

    /** Starts a registry holding busybox as {@link #BUSYBOX} and pulls it into {@code env}; the caller closes it. */
    public static LocalRegistry busyboxPulled(JpodEnv env) {
        LocalRegistry registry = LocalRegistry.start();
        try {
            registry.push(TestImage.busybox().build(), "library/busybox", "latest");
            env.run(Duration.ofSeconds(180), "pull", "-q", image(registry)).ok();
        } catch (RuntimeException | Error e) {
            registry.close();
            throw e;
        }
        return registry;
    }

    /** {@code host:port/library/busybox:latest} of {@code registry}. */
    public static String image(LocalRegistry registry) {
        return registry.hostPort() + "/" + BUSYBOX;
    }

    /**
     * Closes each of {@code resources} that is not null, in order, each even if one before it failed (as the tests'
     * nested try/finally did): env first (its containers use the cgroups), the delegated cgroups last.
     */
    public static void closeInOrder(AutoCloseable... resources) {
        RuntimeException first = null;
        for (AutoCloseable r : resources) {
            if (r == null) {
                continue;
            }
            try {
                r.close();
            } catch (Exception e) {
                RuntimeException wrapped = e instanceof RuntimeException re ? re : new IllegalStateException(e);
                if (first == null) {
                    first = wrapped;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
