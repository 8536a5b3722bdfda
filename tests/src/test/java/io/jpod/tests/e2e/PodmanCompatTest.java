package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What podman's own system tests (test/system, v4.3.1; see docs/CONFORMANCE.md) found missing or different, one
 * cause per test: global options, Go-template fields, podman's error texts and exit codes, list options, and the
 * run flags and container files scripts rely on.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PodmanCompatTest {
    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("library/compat");
    private static JpodEnv env; // set by FX
    @RegistryAndJpod.Image
    private static String image;

    @Test
    void logLevelIsValidatedAndLogsLogrusLines() {
        Result bad = env.run(JpodEnv.NORMAL, "--log-level=telepathic", "info");
        assertEquals(1, bad.exitCode(), bad::toString);
        assertTrue(bad.stderr().startsWith("Log Level \"telepathic\" is not supported"), bad::toString);
        Result debug = env.ok("--log-level=debug", "info");
        assertTrue(debug.stderr().contains(" level=debug "), debug::toString);
        assertTrue(debug.stderr().contains(" level=info "), debug::toString);
        assertFalse(debug.stderr().contains(" level=trace "), debug::toString);
        assertFalse(env.ok("--log-level=warn", "info").stderr().contains(" level="));
        assertTrue(env.ok("-D", "info").stderr().contains(" level=debug "));
        assertTrue(env.ok("--log-level", "info", "info").stderr().contains(" level=info ")); // a value that names a command
        Result both = env.run(JpodEnv.NORMAL, "--debug", "--log-level=panic", "info");
        assertEquals(1, both.exitCode(), both::toString);
        assertEquals("Setting --log-level and --debug is not allowed\n", both.stderr());
    }

    /** helpers.bash's pause_image(): `version --format {{.Server.Version}}-{{.Server.Built}}` (jpod is its own server). */
    @Test
    void versionHasAServerPart() {
        String v = env.ok("version", "--format", "{{.Client.Version}}").stdout().strip();
        assertEquals(v + "-0\n", env.ok("version", "--format", "{{.Server.Version}}-{{.Server.Built}}").stdout());
        assertEquals(v, env.ok("version", "--format", "json").json().path("Server").path("APIVersion").asText());
    }

    @Test
    void remoteConnectionsAreRefusedWithUsageOrOneLine() {
        assertTrue(env.ok("--help").stdout().contains(" --remote "));
        Result alone = env.run(JpodEnv.NORMAL, "--remote");
        assertEquals(125, alone.exitCode(), alone::toString);
        assertTrue((alone.stdout() + alone.stderr()).contains("Usage:"), alone::toString);
        for (List<String> args : List.of(List.of("--remote", "ps"), List.of("--url", "tcp://x", "ps"), List.of("--connection", "c", "ps"))) {
            Result r = env.run(JpodEnv.NORMAL, args.toArray(String[]::new));
            assertEquals(125, r.exitCode(), r::toString);
            assertTrue(r.stderr().startsWith("Error: " + args.get(0) + " is not supported"), r::toString);
        }
    }

    @Test
    void eventsBackendCgroupManagerAndRuntimeFlag() {
        env.ok("--events-backend=file", "--cgroup-manager", "cgroupfs", "images");
        Result journald = env.run(JpodEnv.NORMAL, "--events-backend=journald", "images");
        assertEquals(125, journald.exitCode(), journald::toString);
        assertTrue(journald.stderr().startsWith("Error: the journald events backend is not supported"), journald::toString);
        Result flag = env.run(JpodEnv.NORMAL, "--runtime-flag", "invalidflag", "run", "--rm", image, "true");
        assertEquals(126, flag.exitCode(), flag::toString);
        assertTrue(flag.stderr().contains("invalidflag"), flag::toString);
        env.ok("--runtime-flag", "invalidflag", "ps"); // only starting a container hands flags to a runtime
    }

    @Test
    void nooutSilencesStdoutOnly() {
        Result created = env.ok("--noout", "create", "--name", "quiet", image, "true");
        assertEquals("", created.stdout());
        assertEquals("", env.ok("--noout", "rm", "quiet").stdout());
    }

    @Test
    void infoHasPodmansFieldsInTemplatesAndText() {
        String out = env.ok("info", "--format",
                "{{.Host.Distribution.Distribution}}|{{.Host.OCIRuntime.Path}}|{{.Host.LogDriver}}|{{.Store.GraphOptions}}|"
                        + "{{.Host.CgroupManager}}|{{.Host.EventLogger}}|{{.Host.Security.Rootless}}").stdout().strip();
        String[] f = out.split("\\|");
        assertEquals(7, f.length, out);
        assertFalse(f[0].isEmpty(), out);
        assertTrue(f[1].startsWith("/") && f[1].endsWith("jpod-helper"), out);
        assertEquals(List.of("k8s-file", "map[]", "cgroupfs", "file", "true"), List.of(f[2], f[3], f[4], f[5], f[6]));
        String text = env.ok("info").stdout();
        assertTrue(text.matches("(?s).*\n  ociRuntime:\n    name: jpod-helper\n.*"), text);
        assertTrue(text.matches("(?s).*\n  imageStore:\n    number: \\d+\n.*"), text);
        assertTrue(text.contains("\n  graphStatus: {}\n"), text);
    }

    @Test
    void goFieldNamesMatchJsonKeysIgnoringCase() {
        String id = env.inspect(image).path("Id").asText();
        assertEquals(id + "\n", env.ok("image", "inspect", "--format", "{{.ID}}", image).stdout());
    }

    @Test
    void aDigestReferenceIsUntaggedAloneWhileTagsRemain() {
        String digest = env.inspect(image).path("Digest").asText();
        String repo = image.substring(0, image.lastIndexOf(':'));
        env.ok("pull", repo + "@" + digest);
        assertEquals("Untagged: " + repo + "@" + digest + "\n", env.ok("rmi", repo + "@" + digest).stdout());
        env.ok("image", "exists", image);
        env.ok("pull", image + "@" + digest);
        env.ok("untag", image, image + "@" + digest);
        env.ok("image", "exists", image);
    }

    @Test
    void imagesShowLabelsSortAndOmitTheHeader() throws Exception {
        env.ok("create", "--name", "labelsrc", image, "true");
        Path tar = writable(FX.scratchDir("compat-export")).resolve("rootfs.tar");
        env.ok("export", "-o", tar.toString(), "labelsrc");
        env.ok("import", "--change", "LABEL created_by=compat-test", tar.toString(), "localhost/aaa/labelled:1");
        env.ok("rm", "labelsrc");
        assertTrue(env.ok("images", "--format", "{{.Repository}} {{.Labels.created_by}}").stdout().lines()
                .anyMatch(l -> l.equals("localhost/aaa/labelled compat-test")));
        List<String> byRepo = env.ok("images", "--sort", "repository", "--format", "{{.Repository}}").stdout().lines().toList();
        assertEquals(byRepo.stream().sorted().toList(), byRepo);
        assertTrue(byRepo.contains("localhost/aaa/labelled") && byRepo.size() >= 2, byRepo::toString);
        assertEquals("compat-test\n", env.ok("image", "list", "--format", "{{.Labels.created_by}}", "localhost/aaa/labelled:1").stdout());
        List<String> noHeading = env.ok("images", "--noheading").stdout().lines().toList();
        assertEquals(byRepo.size(), noHeading.size(), noHeading::toString);
        assertFalse(noHeading.get(0).startsWith("REPOSITORY"), noHeading::toString);
        Result badSort = env.run(JpodEnv.NORMAL, "images", "--sort", "bogus");
        assertEquals(125, badSort.exitCode(), badSort::toString);
        env.ok("rmi", "localhost/aaa/labelled:1");
    }

    @Test
    void psSortsAndOmitsTheHeader() {
        env.ok("create", "--name", "zz-sort", image, "true");
        env.ok("create", "--name", "aa-sort", image, "true");
        List<String> names = env.ok("ps", "-a", "--sort", "names", "--format", "{{.Names}}", "--filter", "name=-sort").stdout().lines().toList();
        assertEquals(List.of("aa-sort", "zz-sort"), names);
        assertEquals("", env.ok("ps", "--noheading", "--filter", "name=nothing-is-called-this").stdout());
        // without -a a filter sees running containers only, unless it filters by status
        assertEquals("", env.ok("ps", "--filter", "name=aa-sort", "--format", "{{.Names}}").stdout());
        assertTrue(env.ok("ps", "--filter", "status=created", "--format", "{{.Names}}").stdout().lines().toList().contains("aa-sort"));
        List<String> rows = env.ok("ps", "-a", "--noheading", "--filter", "name=-sort").stdout().lines().toList();
        assertEquals(2, rows.size(), rows::toString);
        env.ok("rm", "aa-sort", "zz-sort");
    }

    @Test
    void volumeLsFiltersByNameRegexAndOmitsTheHeader() {
        env.ok("volume", "create", "volf_1_x");
        env.ok("volume", "create", "volf_2_x");
        assertEquals("volf_1_x\n", env.ok("volume", "ls", "--filter", "name=volf_1.+", "--format", "{{.Name}}").stdout());
        assertEquals(List.of("volf_1_x", "volf_2_x"),
                env.ok("volume", "ls", "--filter", "name=volf_1*", "--format", "{{.Name}}").stdout().lines().sorted().toList());
        List<String> rows = env.ok("volume", "ls", "--noheading", "--filter", "name=volf_").stdout().lines().toList();
        assertEquals(2, rows.size(), rows::toString);
        assertTrue(rows.stream().allMatch(r -> r.startsWith("local ")), rows::toString);
        env.ok("volume", "rm", "volf_1_x", "volf_2_x");
    }

    @Test
    void startAllStartsEveryStoppedContainerAndPrintsIds() {
        String a = env.ok("create", "--name", "startall-a", image, "true").stdout().strip();
        String b = env.ok("create", "--name", "startall-b", image, "true").stdout().strip();
        List<String> started = env.ok("start", "--all", "--filter", "name=startall-").stdout().lines().sorted().toList();
        assertEquals(List.of(a, b).stream().sorted().toList(), started);
        Result both = env.run(JpodEnv.NORMAL, "start", "--all", "12333");
        assertEquals(125, both.exitCode(), both::toString);
        assertEquals("Error: either start all containers or the container(s) provided in the arguments\n", both.stderr());
        env.ok("wait", a, b);
        Result badPolicy = env.run(JpodEnv.NORMAL, "start", "--filter", "restart-policy=fakepolicy", a);
        assertEquals("Error: fakepolicy invalid restart policy\n", badPolicy.stderr());
        env.ok("rm", a, b);
        env.ok("create", "--name", "nocommand", image, "/no/such/command");
        assertEquals(env.inspect("nocommand").path("Id").asText() + "\n", env.ok("update", "nocommand").stdout()); // nothing to change
        assertEquals(125, env.run(JpodEnv.NORMAL, "start", "nocommand").exitCode()); // run would say 127; start is the engine's
        env.ok("rm", "nocommand");
    }

    @Test
    void podmansErrorTextsAndExitCodes() {
        String cid = env.ok("run", "-d", "--name", "busy", image, "sleep", "300").stdout().strip();
        Result running = env.run(JpodEnv.NORMAL, "rm", cid);
        assertEquals(2, running.exitCode(), running::toString);
        assertEquals("Error: cannot remove container " + cid + " as it is running - running or paused containers cannot be "
                + "removed without force: container state improper\n", running.stderr());
        env.ok("rm", "-f", "busy");
        Result missing = env.run(JpodEnv.NORMAL, "container", "rm", "bogus");
        assertEquals(1, missing.exitCode(), missing::toString);
        assertEquals("Error: no container with name or ID \"bogus\" found: no such container\n", missing.stderr());
        Result forced = env.ok("container", "rm", "--force", "bogus");
        assertEquals("", forced.stdout() + forced.stderr());
        Result noImage = env.run(JpodEnv.NORMAL, "image", "rm", "bogus");
        assertEquals(1, noImage.exitCode(), noImage::toString);
        assertEquals("Error: bogus: image not known\n", noImage.stderr());
        assertEquals("", env.ok("image", "rm", "--force", "bogus").stderr());
        Result never = env.run(JpodEnv.NORMAL, "run", "--pull=never", "localhost/not/here:1", "true");
        assertEquals(125, never.exitCode(), never::toString);
        assertEquals("Error: localhost/not/here:1: image not known\n", never.stderr());
        Result untag = env.run(JpodEnv.NORMAL, "untag", image, "registry.com/foo:bar");
        assertEquals(125, untag.exitCode(), untag::toString);
        assertEquals("Error: registry.com/foo:bar: tag not known\n", untag.stderr());
        for (String[] s : new String[][]{{"0", "invalid signal: 0"}, {"-0", "invalid signal: 0"}, {"SIGBADSIG", "invalid signal: SIGBADSIG"},
                {"65", "valid signals are 1 through 64"}, {"-65", "valid signals are 1 through 64"}}) {
            Result k = env.run(JpodEnv.NORMAL, "kill", "-s", s[0], "nosuchcontainer");
            assertEquals(125, k.exitCode(), k::toString);
            assertEquals("Error: " + s[1] + "\n", k.stderr(), k::toString);
        }
    }

    @Test
    void aWorkdirTheUserNamesMustExistUnlessAMountMakesIt() throws Exception {
        Result r = env.run(JpodEnv.NORMAL, "run", "--rm", "--workdir", "/i/do/not/exist", image, "pwd");
        assertEquals(126, r.exitCode(), r::toString);
        assertTrue(r.stderr().matches("Error: workdir \"/i/do/not/exist\" does not exist on container [0-9a-f]{64}\n"), r::toString);
        Path dir = writable(FX.scratchDir("compat-workdir"));
        Files.writeString(dir.resolve("content"), "mounted\n");
        assertEquals("mounted\n", env.ok("run", "--rm", "--workdir", "/NotOnTheImage", "-v", dir + ":/NotOnTheImage", image,
                "cat", "content").stdout());
    }

    @Test
    void containerKnowsTheImageNameGivenAndHasContainerenv() {
        String alias = "localhost/compat/alias";
        env.ok("tag", image, alias);
        env.ok("create", "--name", "named-image", alias, "true");
        String digest = env.inspect(image).path("Digest").asText();
        assertEquals(alias + ":latest " + digest + "\n",
                env.ok("container", "inspect", "--format", "{{.ImageName}} {{.ImageDigest}}", "named-image").stdout());
        env.ok("rm", "named-image");
        env.ok("untag", image, alias);
        assertEquals("0\n", env.ok("run", "--rm", image, "stat", "-c", "%s", "/run/.containerenv").stdout());
        String privileged = env.ok("run", "--rm", "--privileged", "--name", "envfile", image, "cat", "/run/.containerenv").stdout();
        assertTrue(privileged.contains("\nname=\"envfile\"\n") && privileged.contains("\nrootless=1\n"), privileged);
    }

    @Test
    void portsWithHostNetworkAreDiscardedWithPodmansWarning() {
        Result r = env.ok("run", "--rm", "-p", "8080", "--net=host", image, "echo", "ran");
        assertEquals("ran\n", r.stdout());
        assertTrue(r.stderr().startsWith("Port mappings have been discarded as one of the Host, Container, Pod, and None network modes "
                + "are in use\n"), r::toString);
    }

    @Test
    void runAttachesOnlyTheStreamsNamedAndPrintsTheIdWithoutStdout() {
        Result r = env.ok("run", "--name", "attach-some", "--attach", "stderr", image, "sh", "-c", "echo to-out; echo to-err >&2");
        String id = env.inspect("attach-some").path("Id").asText();
        assertEquals(id + "\n", r.stdout());
        assertTrue(r.stderr().contains("to-err") && !r.stderr().contains("to-out"), r::toString);
        assertTrue(env.ok("logs", "attach-some").stdout().contains("to-out"), "the stream not attached still goes to the log");
        env.ok("rm", "attach-some");
        Result bad = env.run(JpodEnv.NORMAL, "run", "--rm", "--attach", "bogus", image, "true");
        assertEquals(125, bad.exitCode(), bad::toString);
        assertTrue(bad.stderr().startsWith("Error: invalid stream \"bogus\" for --attach"), bad::toString);
    }

    @Test
    void entrypointTakesAJsonArray() {
        assertEquals("a b c\n", env.ok("run", "--rm", "--entrypoint=[\"/bin/echo\",\"a b\"]", image, "c").stdout());
    }

    @Test
    void kernelMemoryWarnsAndSystemDfTakesATemplateAndCountsVolumes() {
        Result r = env.ok("run", "--rm", "--kernel-memory", "100", image, "true");
        assertTrue(r.stderr().contains("The --kernel-memory flag is no longer supported. This flag is a noop."), r::toString);
        env.ok("volume", "create", "df-idle");
        env.ok("run", "--name", "df-user", "-v", "/dfvol", image, "true");
        List<String> df = env.ok("system", "df", "--format", "{{.Type}}:{{.Total}}:{{.Active}}").stdout().lines().toList();
        assertEquals(3, df.size(), df::toString);
        assertTrue(df.get(0).matches("Images:\\d+:\\d+"), df::toString);
        assertTrue(df.get(1).matches("Containers:\\d+:\\d+"), df::toString);
        int total = Integer.parseInt(df.get(2).split(":")[1]);
        int active = Integer.parseInt(df.get(2).split(":")[2]);
        assertTrue(df.get(2).startsWith("Local Volumes:") && total >= 2 && active >= 1 && active < total, df::toString);
        List<String> verbose = env.ok("system", "df", "-v").stdout().lines().filter(l -> !l.isEmpty()).toList();
        assertTrue(verbose.contains("Images space usage:") && verbose.contains("Containers space usage:")
                && verbose.contains("Local Volumes space usage:"), verbose::toString);
        assertTrue(verbose.stream().anyMatch(l -> l.matches("[0-9a-f]{12} +[0-9a-f]{12} +true +1 .* df-user")), verbose::toString);
        assertTrue(verbose.stream().anyMatch(l -> l.matches("df-idle +0 +0B")), verbose::toString);
        env.ok("rm", "-v", "df-user");
        Result both = env.run(JpodEnv.NORMAL, "volume", "rm", "--all", "df-idle");
        assertEquals(125, both.exitCode(), both::toString);
        assertTrue(env.ok("volume", "rm", "--all").stdout().lines().toList().contains("df-idle"));
        assertEquals("", env.ok("volume", "ls", "--quiet").stdout());
    }

    /** A scratch directory the test user may write into. */
    private static Path writable(Path dir) throws java.io.IOException {
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        return dir;
    }
    /** 140-diff: `diff --format json -l`, podman's object of changed/added/deleted paths for the latest container. */
    @Test
    void diffJsonOfTheLatestContainer() {
        env.ok("run", "--name", "difftest", image, "sh", "-c", "touch /diff-added; rm /etc/group");
        try {
            com.fasterxml.jackson.databind.JsonNode d = env.ok("diff", "--format", "json", "-l").json();
            assertEquals("[\"/diff-added\"]", d.get("added").toString(), d::toString);
            assertEquals("[\"/etc/group\"]", d.get("deleted").toString(), d::toString);
            assertEquals("[\"/etc\"]", d.get("changed").toString(), d::toString);
        } finally {
            env.ok("rm", "difftest");
        }
    }
    /** 170-run-userns: keep-groups with other --group-add values is refused with podman's sentence first. */
    @Test
    void keepGroupsWithOtherGroupsIsRefusedAsPodman() {
        Result r = env.run(JpodEnv.NORMAL, "run", "--rm", "--group-add", "keep-groups", "--group-add", "457", image, "id");
        assertEquals(125, r.exitCode(), r::toString);
        assertEquals("Error: the '--group-add keep-groups' option is not allowed with any other --group-add options\n", r.stderr());
    }
}
