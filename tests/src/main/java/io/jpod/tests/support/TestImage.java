package io.jpod.tests.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The busybox test image, a stand-in for alpine: {@code /bin/busybox} from the host (busybox-static, so no shared
 * libraries are needed) plus one {@code bin/<applet> -> busybox} symlink per applet, a minimal /etc and the usual
 * empty mount-point directories.
 */
public final class TestImage {

    public static final Path HOST_BUSYBOX = Path.of(System.getProperty("jpod.busybox", "/bin/busybox"));

    /** Applets the tests (and the README examples) rely on; the build fails early if the host busybox lacks one. */
    public static final List<String> REQUIRED_APPLETS = List.of("sh", "echo", "cat", "ls", "id", "hostname", "ps",
            "true", "false", "sleep", "touch", "chown", "stat", "mkdir", "ip", "wc", "grep", "env", "httpd", "nc");

    public static final String PASSWD = """
            root:x:0:0:root:/root:/bin/sh
            nobody:x:65534:65534:nobody:/nonexistent:/bin/false
            app:x:1000:1000:app:/home/app:/bin/sh
            """;

    public static final String GROUP = """
            root:x:0:
            app:x:1000:
            nogroup:x:65534:
            """;

    private static volatile LayerBuilder baseLayer;

    private TestImage() {}

    /** A builder holding the busybox base layer, Env PATH=…, Cmd ["sh"]; add layers/config and build(). */
    public static OciImageBuilder busybox() {
        return OciImageBuilder.scratch().layer(sharedBaseLayer(), "jpod tests: busybox base layer");
    }

    /** A copy of the base layer, free to extend; built once per JVM because reading and listing busybox is the slow part. */
    public static LayerBuilder baseLayer() {
        return sharedBaseLayer().copy();
    }

    private static LayerBuilder sharedBaseLayer() {
        LayerBuilder l = baseLayer;
        if (l == null) {
            synchronized (TestImage.class) {
                if (baseLayer == null) {
                    baseLayer = newBaseLayer();
                }
                l = baseLayer;
            }
        }
        return l;
    }

    private static LayerBuilder newBaseLayer() {
        byte[] busybox;
        try {
            busybox = Files.readAllBytes(HOST_BUSYBOX);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + HOST_BUSYBOX + ": install busybox-static (scripts/setup-host.sh)", e);
        }
        Set<String> applets = applets();
        for (String required : REQUIRED_APPLETS) {
            if (!applets.contains(required)) {
                throw new IllegalStateException(HOST_BUSYBOX + " has no '" + required + "' applet; the tests need: " + REQUIRED_APPLETS);
            }
        }
        LayerBuilder l = new LayerBuilder()
                .dir("bin", 0755)
                .file("bin/busybox", busybox, 0755)
                .dir("etc", 0755)
                .file("etc/passwd", PASSWD.getBytes(StandardCharsets.UTF_8), 0644)
                .file("etc/group", GROUP.getBytes(StandardCharsets.UTF_8), 0644)
                .dir("tmp", 01777)
                .dir("root", 0700)
                .dir("home", 0755)
                .dir("home/app", 0755, 1000, 1000)
                .dir("proc", 0555)
                .dir("sys", 0555)
                .dir("dev", 0755)
                .dir("usr", 0755)
                .dir("usr/bin", 0755)
                .dir("var", 0755);
        for (String applet : applets) {
            if (!applet.equals("busybox")) {
                l.symlink("bin/" + applet, "busybox");
            }
        }
        return l;
    }

    /** Applet names from {@code busybox --list} (bounded: busybox answers at once or is broken). */
    static Set<String> applets() {
        try {
            Process p = new ProcessBuilder(HOST_BUSYBOX.toString(), "--list")
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(HOST_BUSYBOX + " --list did not finish in 10 s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(HOST_BUSYBOX + " --list exited " + p.exitValue());
            }
            Set<String> names = new TreeSet<>();
            for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
                String name = line.strip();
                // --list prints bare names; a name with '/' would escape bin/, so it is not a usable applet link.
                if (!name.isEmpty() && !name.contains("/")) {
                    names.add(name);
                }
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + HOST_BUSYBOX + " --list", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
