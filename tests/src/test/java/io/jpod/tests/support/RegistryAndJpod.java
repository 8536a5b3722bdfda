package io.jpod.tests.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What most end-to-end test classes start from: a real docker-registry on 127.0.0.1 and a jpod environment of the
 * unprivileged test user (private HOME and runtime dir), optionally with the busybox test image pushed and pulled.
 * Registered as a static field ({@code @RegisterExtension static final RegistryAndJpod FX = ...}): it starts before the
 * class's own {@code @BeforeAll} methods and closes everything, in reverse order, after its {@code @AfterAll} ones.
 * Like JUnit's {@code @TempDir}, it also sets the class's static fields of type {@link JpodEnv}, {@link LocalRegistry}
 * and {@link TestUser}, and the one marked {@link Image} to the busybox image's name, so test code keeps writing
 * {@code env.run(...)}, {@code registry.push(...)} and {@code run ... image} without a set-up method of its own.
 */
public final class RegistryAndJpod implements BeforeAllCallback, AfterAllCallback {
    private static final Duration PULL = Duration.ofSeconds(180);

    /** Marks the test class's static String field that gets {@link #image()} (withBusybox only). */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Image {
    }

    private final String busyboxRepository;
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private JpodEnv env;
    private LocalRegistry registry;
    private String image;

    private RegistryAndJpod(String busyboxRepository) {
        this.busyboxRepository = busyboxRepository;
    }

    /** A registry and an environment, nothing pushed. */
    public static RegistryAndJpod empty() {
        return new RegistryAndJpod(null);
    }

    /** Also the busybox test image pushed as {@code repository:latest} and pulled; see {@link #image()}. */
    public static RegistryAndJpod withBusybox(String repository) {
        return new RegistryAndJpod(repository);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        env = closeLater(JpodEnv.create(TestUser.get()));
        registry = closeLater(LocalRegistry.start());
        if (busyboxRepository != null) {
            BuiltImage busybox = TestImage.busybox().build();
            registry.push(busybox, busyboxRepository, "latest");
            image = registry.hostPort() + "/" + busyboxRepository + ":latest";
            Result r = env.run(PULL, "pull", "-q", image);
            if (r.exitCode() != 0) {
                throw new IllegalStateException("pulling the test image failed: " + r);
            }
        }
        inject(context.getRequiredTestClass());
    }

    private void inject(Class<?> testClass) {
        for (java.lang.reflect.Field f : testClass.getDeclaredFields()) {
            int m = f.getModifiers();
            if (!java.lang.reflect.Modifier.isStatic(m) || java.lang.reflect.Modifier.isFinal(m)) {
                continue;
            }
            Object value = f.getType() == JpodEnv.class ? env : f.getType() == LocalRegistry.class ? registry
                    : f.getType() == TestUser.class ? TestUser.get() : f.isAnnotationPresent(Image.class) ? image() : null;
            if (value != null) {
                try {
                    f.setAccessible(true);
                    f.set(null, value);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException("cannot set " + f, e);
                }
            }
        }
    }

    /** Pushes {@code img} to the registry as {@code repository:1}, pulls it as the test user, and returns its name. */
    public String pushAndPull(BuiltImage img, String repository) {
        registry.push(img, repository, "1");
        String name = registry.hostPort() + "/" + repository + ":1";
        env.ok("pull", "-q", name);
        return name;
    }

    /**
     * A directory the test user can traverse and read (0755), for bind-mount sources and the like; deleted with the
     * rest after the class. Under {@code jpod.test.tmp} (default /tmp) because the build tree may not be reachable.
     */
    public Path scratchDir(String prefix) {
        try {
            Path dir = Files.createTempDirectory(Path.of(System.getProperty("jpod.test.tmp", "/tmp")), prefix);
            dir.toFile().setReadable(true, false);
            dir.toFile().setExecutable(true, false);
            closeLater(() -> {
                try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
                    s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            });
            return dir;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A build context: a {@link #scratchDir} with {@code containerfile} as its Containerfile. */
    public Path buildContext(String prefix, String containerfile) throws java.io.IOException {
        Path ctx = scratchDir(prefix);
        writeReadable(ctx.resolve("Containerfile"), containerfile);
        return ctx;
    }

    /** Writes a file the test user can read, making its directories (readable and traversable) as needed. */
    public static void writeReadable(Path file, String content) throws java.io.IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        file.toFile().setReadable(true, false);
        for (Path d = file.getParent(); d.getNameCount() > 2; d = d.getParent()) {
            d.toFile().setReadable(true, false);
            d.toFile().setExecutable(true, false);
        }
    }

    /** Something more to close after the class (a proxy, a second registry), before the registry and env. */
    public <T extends AutoCloseable> T closeLater(T resource) {
        opened.push(resource);
        return resource;
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        Exception first = null;
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    public JpodEnv env() {
        return env;
    }

    public LocalRegistry registry() {
        return registry;
    }

    /** The pulled busybox image's name (withBusybox only). */
    public String image() {
        if (image == null) {
            throw new IllegalStateException("no busybox image: use RegistryAndJpod.withBusybox");
        }
        return image;
    }
}
