package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Causes found by podman's system tests (docs/CONFORMANCE.md) in events, images, save/load, import, history, info,
 * help and option parsing: one cause per test, with podman's arguments as its tests give them.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PodmanImageCompatTest {
    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("library/imgcompat");
    private static JpodEnv env; // set by FX
    @RegistryAndJpod.Image
    private static String image;

    @Test
    void containerEventsCarryLabelsFilterByThemAndTruncateOnRequest() {
        Result died = env.run(JpodEnv.NORMAL, "--events-backend=file", "run", "--rm", "--name", "evlabels",
                "--label", "evkey=ev value", image, "sh", "-c", "exit 17");
        assertEquals(17, died.exitCode(), died::toString);
        assertEquals("ev value\n", env.ok("events", "--filter=container=evlabels", "--filter=status=died", "--stream=false",
                "--format={{.Attributes.evkey}}").stdout());
        String start = env.ok("events", "-f", "type=container", "--filter", "label=evkey=ev value", "--filter", "event=start",
                "--stream=false").stdout();
        assertTrue(start.matches("(?s).* container start [0-9a-f]{64} \\(image=.*, name=evlabels, .*evkey=ev value.*"), start);
        assertEquals("", env.ok("events", "--filter", "label=evkey=other", "--stream=false").stdout());
        String shortIds = env.ok("events", "--filter", "container=evlabels", "--filter", "event=start", "--stream=false",
                "--no-trunc=false").stdout();
        assertTrue(shortIds.matches("(?s).* container start [0-9a-f]{12} \\(.*"), shortIds);
        String id = env.ok("events", "--filter", "container=evlabels", "--filter", "event=died", "--stream=false",
                "--no-trunc=false", "--format", "{{.ID}}").stdout().strip();
        assertEquals(64, id.length(), id);
    }

    @Test
    void eventsFromTheNoneBackendAreRefused() {
        for (String[] args : new String[][]{{"--events-backend", "none", "events"}, {"--events-backend", "none", "events", "--stream=false"}}) {
            Result r = env.run(JpodEnv.NORMAL, args);
            assertEquals(125, r.exitCode(), r::toString);
            assertEquals("Error: cannot read events with the \"none\" backend\n", r.stderr());
        }
        env.ok("--events-backend", "none", "images");
    }

    @Test
    void imagesKeepANamesHistoryAndFilterAfterAnImage() {
        String iid = env.ok("image", "inspect", "--format", "{{.ID}}", image).stdout().strip();
        assertEquals("", env.ok("images", "--noheading", "--filter=after=" + iid).stdout());
        env.ok("run", "--name", "histsrc", image, "true");
        String newId = env.ok("commit", "-q", "histsrc", "hist-image").stdout().strip().replaceFirst("^sha256:", "");
        env.ok("rm", "histsrc");
        assertEquals("localhost/hist-image:latest\n", env.ok("images", "hist-image", "--format", "{{ .History }}").stdout());
        env.ok("tag", "hist-image", "hist-one");
        env.ok("rmi", "hist-one");
        env.ok("tag", "hist-image", "hist-two");
        env.ok("rmi", "hist-two");
        assertEquals("localhost/hist-image:latest, localhost/hist-two:latest, localhost/hist-one:latest\n",
                env.ok("images", "hist-image", "--format", "{{ .History }}").stdout());
        String opts = "--format={{.ID}}--{{.Repository}}:{{.Tag}}";
        assertEquals("sha256:" + newId + "--localhost/hist-image:latest\n",
                env.ok("images", "--noheading", "--no-trunc", opts, "--filter=after=" + iid).stdout());
        // a reference lists the names it matches, not every name of the image
        env.ok("tag", "hist-image", "localhost/hist-alias:t1");
        assertEquals("localhost/hist-alias:t1\n", env.ok("images", "localhost/hist-alias:t1", "--format", "{{.Repository}}:{{.Tag}}").stdout());
        env.ok("rmi", "localhost/hist-alias:t1", "hist-image");
    }

    @Test
    void saveUncompressedWritesPlainTarLayersThatLoadBack() throws Exception {
        Path dir = FX.scratchDir("imgcompat-save");
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        Path archive = dir.resolve("plain.tar");
        env.ok("save", "-o", archive.toString(), "--format", "oci-archive", "--uncompressed", image);
        Map<String, byte[]> entries = new java.util.HashMap<>();
        try (InputStream in = Files.newInputStream(archive); TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                if (e.isFile()) {
                    entries.put(e.getName(), tar.readAllBytes());
                }
            }
        }
        String index = new String(entries.get("index.json"), StandardCharsets.UTF_8);
        String manifestDigest = index.replaceAll("(?s).*\"digest\"\\s*:\\s*\"sha256:([0-9a-f]{64})\".*", "$1");
        String manifest = new String(entries.get("blobs/sha256/" + manifestDigest), StandardCharsets.UTF_8);
        assertTrue(manifest.contains("application/vnd.oci.image.layer.v1.tar\""), manifest);
        List<String> layers = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("layer.v1.tar\",\"digest\":\"sha256:([0-9a-f]{64})").matcher(manifest);
        while (m.find()) {
            layers.add(m.group(1));
        }
        assertFalse(layers.isEmpty(), manifest);
        for (String hex : layers) {
            byte[] blob = entries.get("blobs/sha256/" + hex);
            assertEquals("ustar", new String(blob, 257, 5, StandardCharsets.US_ASCII), "layer " + hex + " is a plain tar");
            assertEquals(hex, java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(blob)));
        }
        String id = env.ok("image", "inspect", "--format", "{{.ID}}", image).stdout().strip();
        env.ok("load", "-i", archive.toString());
        assertEquals(id + "\n", env.ok("image", "inspect", "--format", "{{.ID}}", image).stdout());
    }

    @Test
    void loadOfSomethingElseSaysNoSupportedFormat() throws Exception {
        Path dir = FX.scratchDir("imgcompat-load");
        Path junk = dir.resolve("invalid");
        Files.writeString(junk, "I am an invalid file\n");
        junk.toFile().setReadable(true, false);
        Result r = env.run(JpodEnv.NORMAL, "load", "-i", junk.toString());
        assertEquals(125, r.exitCode(), r::toString);
        assertTrue(r.stderr().startsWith("Error: payload does not match any of the supported image formats:"), r::toString);
    }

    @Test
    void infoHasPodmansBuilderMonitorAndRegistriesKeys() {
        String text = env.ok("info").stdout();
        assertTrue(text.matches("(?s).*\n  buildahVersion: [0-9.]+\n.*"), text);
        assertTrue(text.matches("(?s).*\n  conmon:\n    package: .*"), text);
        assertTrue(text.matches("(?s).*\nregistries:.*"), text);
        assertTrue(env.ok("info", "--format", "{{.Host.Conmon.Path}}").stdout().strip().endsWith("jpod-helper"));
    }

    @Test
    void helpIsLaidOutAsCobrasFromTheCommandModel() {
        String top = env.ok("--help").stdout();
        assertTrue(top.startsWith("Manage pods, containers and images\n"), top); // podman's first line, for -h and help too
        assertEquals(top, env.ok("-h").stdout());
        assertEquals(top, env.ok("help").stdout());
        assertTrue(top.contains("\nUsage:\n  jpod [options] [command]\n"), top);
        assertTrue(top.matches("(?s).*\nAvailable Commands:\n.*\n  help +\\S.*\n  rm +Remove one or more containers.*"), top);
        String rm = env.ok("rm", "--help").stdout();
        assertTrue(rm.contains("\nUsage:\n  jpod rm [options] [CONTAINER...]\n"), rm);
        assertTrue(rm.matches("(?s).*\nOptions:\n.*  -f, --force .*"), rm);
        assertFalse(rm.contains("--root"), rm); // global options only in the program's help
        assertTrue(env.ok("exec", "--help").stdout().contains("\n  jpod exec [options] CONTAINER COMMAND [COMMAND...]\n"));
        assertTrue(env.ok("image", "--help").stdout().contains("\n  jpod image [command]\n"));
        assertTrue(env.ok("container", "ls", "--help").stdout().contains("\n  jpod container ls [options]\n"));
        assertEquals(env.ok("image", "--help").stdout(), env.ok("help", "image").stdout());
    }

    @Test
    void commandLineMistakesGetCobrasMessages() {
        expect(List.of("image"), "Error: missing command 'jpod image COMMAND'");
        expect(List.of("image", "NoSuchCommand"), "Error: unrecognized command `jpod image NoSuchCommand`");
        expect(List.of("NoSuchCommand"), "Error: unrecognized command `jpod NoSuchCommand`");
        expect(List.of("info", "invalid-arg"), "Error: `jpod info` takes no arguments");
        expect(List.of("attach", "x0", "x1"), "Error: accepts at most 1 arg(s), received 2");
        expect(List.of("attach"), "Error: accepts 1 arg(s), received 0");
        expect(List.of("commit"), "Error: requires at least 1 arg(s), only received 0");
        expect(List.of("run", "-h"), "Error: flag needs an argument: 'h' in -h\nSee 'jpod run --help'");
        expect(List.of("bad", "--invalid"), "Error: unknown flag: --invalid\nSee 'jpod --help'");
        expect(List.of("rm", "-l", "nonexistent"), "Error: --latest and containers cannot be used together");
        expect(List.of("stop", "--all", "--latest"), "Error: --all and --latest cannot be used together");
        Result bare = env.run(JpodEnv.NORMAL, "image");
        assertTrue(bare.stdout().contains("Usage:"), bare::toString);
    }

    @Test
    void theProgramIsNamedAsInvoked() throws Exception {
        Path dir = FX.scratchDir("imgcompat-link");
        Path link = Files.createSymbolicLink(dir.resolve("podman"), Path.of(env.ok("info", "--format", "{{.Host.OCIRuntime.Path}}")
                .stdout().strip()).getParent().getParent().resolve("bin/jpod"));
        Result r = env.startWrapped(cmd -> cmd.stream().map(a -> a.endsWith("/bin/jpod") ? link.toString() : a).toList(),
                Map.of(), "image", "NoSuchCommand").await(JpodEnv.NORMAL);
        assertEquals(125, r.exitCode(), r::toString);
        assertTrue(r.stderr().startsWith("Error: unrecognized command `podman image NoSuchCommand`"), r::toString);
        Result help = env.startWrapped(cmd -> cmd.stream().map(a -> a.endsWith("/bin/jpod") ? link.toString() : a).toList(),
                Map.of(), "rm", "--help").await(JpodEnv.NORMAL);
        assertTrue(help.stdout().contains("\n  podman rm [options] [CONTAINER...]\n"), help::toString);
    }

    @Test
    void imagesShowWhenTheImageWasMadeAsHistoryDoes() {
        String listed = env.ok("image", "list", "--format", "{{.CreatedSince}}--{{.CreatedAt}}", image).stdout().strip();
        assertTrue(listed.matches("^[0-9].* ago--[0-9]+-[0-9]+-[0-9]+ [0-9:]+ .*"), listed);
        String history = env.ok("image", "history", "--format", "{{.CreatedSince}}--{{.CreatedAt}}", image).stdout().lines()
                .findFirst().orElse("");
        assertEquals(history, listed);
    }

    @Test
    void anExitedContainerSaysHowLongAgoRightAfterItsEnd() {
        env.ok("run", "-d", "--name", "trapper", image, "sh", "-c", "trap 'exit 33' 2; while true; do sleep 0.05; done");
        env.ok("kill", "--signal", "2", "trapper");
        assertEquals("33\n", env.ok("wait", "trapper").stdout());
        String status = env.ok("ps", "-a", "--filter", "name=trapper", "--format", "{{.Status}}").stdout().strip();
        assertTrue(status.matches("Exited \\(33\\) .*ago"), status);
        env.ok("rm", "trapper");
    }

    @Test
    void volumesLiveWhereVolumepathSays() throws Exception {
        Path dir = FX.scratchDir("imgcompat-volumes");
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        Path volumes = dir.resolve("volumesGoHere");
        assertEquals(volumes + "\n", env.ok("--volumepath", volumes.toString(), "info", "--format", "{{ .Store.VolumePath }}").stdout());
        env.ok("--volumepath", volumes.toString(), "volume", "create", "elsewhere");
        env.ok("--volumepath", volumes.toString(), "run", "--rm", "-v", "elsewhere:/data", image, "sh", "-c", "echo hi > /data/f");
        assertEquals("hi\n", env.ok("unshare", "cat", volumes.resolve("elsewhere/_data/f").toString()).stdout());
        assertEquals("elsewhere\n", env.ok("--volumepath", volumes.toString(), "volume", "ls", "--format", "{{.Name}}").stdout());
        assertFalse(env.ok("volume", "ls", "--format", "{{.Name}}").stdout().contains("elsewhere"));
        env.ok("--volumepath", volumes.toString(), "volume", "rm", "elsewhere");
    }

    /** The command fails with 125 and its stderr starts with {@code expected}. */
    private static void expect(List<String> args, String expected) {
        Result r = env.run(JpodEnv.NORMAL, args.toArray(String[]::new));
        assertEquals(125, r.exitCode(), r::toString);
        assertTrue(r.stderr().startsWith(expected), () -> args + ": " + r);
    }
}
