package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TestUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * podman behaviours its own system tests (docs/CONFORMANCE.md) expect of a drop-in: `-v …:U`, `--network
 * container:NAME` with `rm --depend`, messages naming the program as invoked, and cobra's `__complete` protocol.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DropInCompatTest {
    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("library/dropin");
    private static JpodEnv env; // set by FX
    @RegistryAndJpod.Image
    private static String image;
    private static Path scratch;
    private static TestUser user; // set by FX

    @BeforeAll
    static void setUp() throws IOException {
        scratch = FX.scratchDir("jpod-dropin-");
    }

    private static String owner(Path p) throws IOException {
        return Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS) + ":" + Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
    }

    /** podman's "volume user test": :U chowns the source at every start, unless its top already has the owner. */
    @Test
    void volumeOptionUChownsTheSourceAtEachStart() throws IOException {
        Path dir = Files.createDirectory(scratch.resolve("u-volume"));
        Files.writeString(dir.resolve("test1"), "x");
        user.chown(dir);
        user.chown(dir.resolve("test1"));
        Result first = env.ok("run", "--name", "u-user", "--user", "1000:2000", "-v", dir + ":/data:U", image, "stat", "-c", "%u:%g", "/data", "/data/test1");
        assertEquals(List.of("1000:2000", "1000:2000"), first.stdout().lines().toList(), first::toString);
        long sub = user.requireSubuid().start() - 1; // jpod's id N is the subordinate start + N - 1 on the host
        long subg = user.requireSubgid().start() - 1;
        assertEquals((sub + 1000) + ":" + (subg + 2000), owner(dir.resolve("test1")));

        env.ok("unshare", "chown", "-R", "100:200", dir.toString());
        assertEquals(List.of("1000:2000", "1000:2000"), env.ok("start", "--attach", "u-user").stdout().lines().toList());
        env.ok("unshare", "chown", "100:200", dir.resolve("test1").toString());
        assertEquals(List.of("1000:2000", "100:200"), env.ok("start", "--attach", "u-user").stdout().lines().toList(),
                "the top has the owner already: nothing below it is chowned again");
        env.ok("rm", "u-user");

        Result named = env.ok("run", "--rm", "--user", "7:8", "-v", "u-named:/data:U", image, "stat", "-c", "%u:%g", "/data");
        assertEquals("7:8\n", named.stdout(), named::toString);
        Result bad = env.run(JpodEnv.NORMAL, "run", "--rm", "-v", dir + ":/data:Q", image, "true");
        assertEquals(125, bad.exitCode(), bad::toString);
        assertTrue(bad.stderr().contains("invalid volume option \"Q\""), bad::toString);
        env.ok("volume", "rm", "u-named");
    }

    /** podman's "rm --depend": --network container:NAME joins NAME's network; NAME is not removed while it has dependents. */
    @Test
    void networkOfAnotherContainerAndRmDepend() {
        String base = env.ok("run", "-d", "--name", "dep-base", image, "sleep", "600").stdout().strip();
        String joined = env.ok("create", "--name", "dep-joined", "--net=container:dep-base", image, "readlink", "/proc/self/ns/net").stdout().strip();
        Result own = env.ok("exec", "dep-base", "readlink", "/proc/1/ns/net");
        Result theirs = env.ok("start", "--attach", "dep-joined");
        assertEquals(own.stdout().strip(), theirs.stdout().strip(), "the same network namespace");
        assertEquals("container:" + base, env.inspect("dep-joined").get("HostConfig").get("NetworkMode").asText());

        Result refused = env.run(JpodEnv.NORMAL, "rm", "-f", "-t", "0", base);
        assertEquals(125, refused.exitCode(), refused::toString);
        assertEquals("Error: container " + base + " has dependent containers which must be removed before it: " + joined
                + ": container already exists\n", refused.stderr());
        Result removed = env.ok("rm", "-f", "-t", "0", "--depend", "dep-base");
        assertEquals(List.of(joined, base), removed.stdout().lines().toList(), removed::toString);

        Result missing = env.run(JpodEnv.NORMAL, "create", "--network", "container:nosuch", image, "true");
        assertEquals(125, missing.exitCode(), missing::toString);
        assertTrue(missing.stderr().contains("nosuch"), missing::toString);
    }

    /** Run through a link named podman, jpod's messages name podman, as cobra names the program by argv[0]. */
    @Test
    void volumeMountRefusalNamesTheProgramAsInvoked() throws IOException {
        Path bin = Files.createDirectories(scratch.resolve("bin"));
        Path link = bin.resolve("podman");
        Result r = env.startWrapped(cmd -> {
            List<String> c = new ArrayList<>(cmd);
            for (int i = 0; i < c.size(); i++) {
                if (c.get(i).endsWith("/bin/jpod")) {
                    try {
                        Files.deleteIfExists(link);
                        Files.createSymbolicLink(link, Path.of(c.get(i)));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    c.set(i, link.toString());
                }
            }
            return c;
        }, Map.of(), "volume", "mount", "v").await(JpodEnv.NORMAL);
        assertEquals(125, r.exitCode(), r::toString);
        assertEquals("Error: cannot run command \"podman volume mount\" in rootless mode, must execute `podman unshare` first\n", r.stderr());
    }

    /** podman's "shell completion for paths in container/image": cobra's __completeNoDesc over a real image and container. */
    @Test
    void completionOfPathsInImagesAndContainers() {
        Result root = env.ok("__completeNoDesc", "run", image, "");
        List<String> lines = root.stdout().lines().toList();
        assertTrue(lines.containsAll(List.of("/etc/", "/bin/")), root::toString);
        assertEquals(":2", lines.get(lines.size() - 1), root::toString);
        assertEquals("Completion ended with directive: ShellCompDirectiveNoSpace\n", root.stderr());
        assertTrue(env.ok("__completeNoDesc", "create", image, "/etc/pass").stdout().lines().toList().contains("/etc/passwd"));
        assertTrue(env.ok("__completeNoDesc", "run", image, "../../").stdout().lines().toList().contains("../../etc/"));

        env.ok("run", "--name", "compl", image, "sh", "-c", "mkdir /emptydir; touch /tmp/afile");
        assertTrue(env.ok("__completeNoDesc", "cp", "").stdout().lines().toList().contains("compl:"));
        assertTrue(env.ok("__completeNoDesc", "cp", "compl:/tmp/a").stdout().lines().toList().contains("compl:/tmp/afile"));
        assertEquals(List.of("compl:/emptydir/", ":2"), env.ok("__completeNoDesc", "cp", "compl:/emptydir").stdout().lines().toList());
        Result names = env.ok("__completeNoDesc", "rm", "comp");
        assertEquals(List.of("compl", ":4"), names.stdout().lines().toList(), names::toString);
        env.ok("rm", "compl");
    }

    /**
     * 610-format asks {@code __completeNoDesc CMD --format '{{.'} which commands take Go templates, then runs each
     * with {@code --format '{{"\n"}}'}: the fields of the command's rows (search's from its report record), the
     * container group's commands as the top-level ones.
     */
    @Test
    void completionOfFormatFieldsAndTheirTemplatesRun() {
        Result search = env.ok("__completeNoDesc", "search", "--format", "{{.");
        assertEquals(List.of("{{.Index}}", "{{.Name}}", "{{.Description}}", "{{.Stars}}", "{{.Official}}", "{{.Automated}}", "{{.Tag}}", ":6"),
                search.stdout().lines().toList(), search::toString);
        assertEquals(List.of("{{.Name}}", ":6"), env.ok("__completeNoDesc", "image", "search", "--format", "{{.N").stdout().lines().toList());
        for (String[] cmd : new String[][]{{"history"}, {"image", "history"}, {"image", "inspect"}, {"container", "inspect"}, {"ps"},
                {"volume", "inspect"}, {"network", "inspect"}, {"pod", "inspect"}, {"secret", "inspect"}, {"events"}}) {
            List<String> words = new ArrayList<>(List.of("__completeNoDesc"));
            words.addAll(List.of(cmd));
            words.addAll(List.of("--format", "{{."));
            Result r = env.ok(words.toArray(String[]::new));
            assertTrue(r.stdout().lines().anyMatch(l -> l.matches("\\{\\{\\.[A-Z].*")), String.join(" ", cmd) + ": " + r);
        }
        // podman's top-level inspect (of any kind of object) offers no fields, so 610-format does not run it bare
        assertEquals(List.of(":6"), env.ok("__completeNoDesc", "inspect", "--format", "{{.").stdout().lines().toList());
        assertEquals(List.of(":0"), env.ok("__completeNoDesc", "run", "--name", "").stdout().lines().toList()); // other values: the shell's
        env.ok("run", "--name", "fmtnl", image, "true");
        for (String[] cmd : new String[][]{{"history", image}, {"image", "inspect", image}, {"container", "inspect", "fmtnl"}, {"ps", "-a"},
                {"volume", "inspect", "-a"}}) {
            List<String> words = new ArrayList<>(List.of(cmd));
            words.addAll(List.of("--format", "{{\"\\n\"}}"));
            Result r = env.ok(words.toArray(String[]::new));
            assertTrue(r.stdout().isBlank(), String.join(" ", cmd) + ": " + r);
        }
        env.ok("rm", "fmtnl");
        Result neither = env.run(JpodEnv.NORMAL, "volume", "inspect");
        assertEquals(125, neither.exitCode(), neither::toString);
        assertEquals("Error: provide one or more volume names or use --all\n", neither.stderr());
    }

    /**
     * podman's global options are cobra persistent flags, taken after the command too (610-format runs `events
     * --stream=false --events-backend=file`); after run's or create's image they are the container's.
     */
    @Test
    void globalOptionsAfterTheCommand() {
        env.ok("events", "--stream=false", "--events-backend=file", "--format", "{{.Type}}");
        Result journald = env.run(JpodEnv.NORMAL, "events", "--stream=false", "--events-backend", "journald");
        assertEquals(125, journald.exitCode(), journald::toString);
        assertTrue(journald.stderr().startsWith("Error: the journald events backend is not supported"), journald::toString);
        env.ok("ps", "-a", "--log-level=error", "--noheading");
        assertEquals("--log-level x\n", env.ok("run", "--rm", "--log-level", "error", image, "echo", "--log-level", "x").stdout());
        String id = env.ok("create", image, "sh", "-c", "echo hi", "--log-level").stdout().strip();
        assertEquals("[sh -c echo hi --log-level]\n", env.ok("inspect", "--format", "{{.Config.Cmd}}", id).stdout());
        env.ok("rm", id);
    }

    /** podman's "bare manifest list": a list beside the images, which `images` keeps listing; rmi removes it. */
    @Test
    void manifestListsOfLocalImages() {
        String id = env.ok("manifest", "create", "mlist:1.0").stdout().strip();
        assertTrue(id.matches("[0-9a-f]{64}"), id);
        String imageId = env.ok("inspect", "--format", "{{.ID}}", image).stdout().strip();
        assertTrue(env.ok("images", "--format", "{{.ID}}", "--no-trunc").stdout().contains(imageId), "images still lists the image");
        com.fasterxml.jackson.databind.JsonNode empty = env.ok("manifest", "inspect", "mlist:1.0").json();
        assertEquals(2, empty.get("schemaVersion").asInt());
        assertEquals("application/vnd.docker.distribution.manifest.list.v2+json", empty.get("mediaType").asText());
        assertEquals(0, empty.get("manifests").size());

        assertEquals(id, env.ok("manifest", "add", "mlist:1.0", image).stdout().strip());
        com.fasterxml.jackson.databind.JsonNode one = env.ok("manifest", "inspect", "localhost/mlist:1.0").json().get("manifests");
        assertEquals(1, one.size(), one::toString);
        String digest = one.get(0).get("digest").asText();
        assertEquals(env.ok("inspect", "--format", "{{.Digest}}", image).stdout().strip(), digest);
        assertEquals("linux", one.get(0).get("platform").get("os").asText());
        assertEquals(id, env.ok("manifest", "remove", "mlist:1.0", digest).stdout().strip());
        assertEquals(0, env.ok("manifest", "inspect", "mlist:1.0").json().get("manifests").size());

        Result taken = env.run(JpodEnv.NORMAL, "manifest", "create", "mlist:1.0");
        assertEquals(125, taken.exitCode(), taken::toString);
        assertEquals(0, env.run(JpodEnv.NORMAL, "manifest", "exists", "mlist:1.0").exitCode());
        assertEquals(List.of("Untagged: localhost/mlist:1.0", "Deleted: " + id), env.ok("rmi", "mlist:1.0").stdout().lines().toList());
        assertEquals(1, env.run(JpodEnv.NORMAL, "manifest", "exists", "mlist:1.0").exitCode());
    }
}
