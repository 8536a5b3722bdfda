package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What scripts written for podman lean on: Go templates in --format (ps, images, inspect of containers, images and
 * volumes, info, version; `table` headers; a clear error for a template that cannot work), the `container` command
 * group, `exists`, and --all / --latest / --ignore with podman's exit codes.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the --all test, which ends every container, comes last
class ScriptingTest {
    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("library/format");
    private static JpodEnv env; // set by FX
    @RegistryAndJpod.Image
    private static String image;
    private static String id;

    @BeforeAll
    static void setUp() {
        id = env.ok("run", "-d", "--name", "tpl", "--label", "app=web", image, "sleep", "300").stdout().strip();
    }

    @Test
    void psPrintsOneLinePerContainerThroughTheTemplate() {
        env.ok("create", "--name", "tpl-created", image, "true");
        assertEquals(List.of("tpl running " + id.substring(0, 12) + " web"),
                env.ok("ps", "--format", "{{.Names}} {{.State}} {{.ID}} {{index .Labels \"app\"}}").stdout().lines().toList());
        List<String> all = env.ok("ps", "-a", "--no-trunc", "--format", "{{.Names}} {{.ID}}").stdout().lines().sorted().toList();
        assertEquals(2, all.size(), all::toString);
        assertEquals("tpl " + id, all.get(0)); // " " sorts before "-"
        assertTrue(all.get(1).startsWith("tpl-created "), all::toString);
        List<String> table = env.ok("ps", "--format", "table {{.ID}}\t{{.Names}}\t{{.Command}}").stdout().lines().toList();
        assertEquals(2, table.size(), table::toString);
        assertTrue(table.get(0).matches("CONTAINER ID +NAMES +COMMAND"), table::toString);
        assertTrue(table.get(1).matches(id.substring(0, 12) + " +tpl +sleep 300"), table::toString);
        env.ok("rm", "tpl-created");
    }

    @Test
    void inspectFindsContainersImagesAndVolumesAndFormatsEach() {
        Result r = env.ok("inspect", "--format", "{{.State.Status}} {{.Config.Cmd}} {{json .Config.Labels}}", "tpl");
        assertEquals("running [sleep 300] {\"app\":\"web\"}\n", r.stdout());
        String imageId = env.inspect(image).path("Id").asText();
        assertEquals(imageId + "\n", env.ok("inspect", "--type", "image", "-f", "{{.Id}}", image).stdout());
        assertEquals(imageId + "\n", env.ok("image", "inspect", "--format", "{{.Id}}", image).stdout());
        env.ok("volume", "create", "tplvol");
        assertTrue(env.ok("inspect", "-f", "{{.Name}} {{.Mountpoint}}", "tplvol").stdout().matches("tplvol /\\S+/tplvol/_data\n"));
        assertEquals("tplvol\n", env.ok("volume", "ls", "--format", "{{.Name}}").stdout());
        env.ok("volume", "rm", "tplvol");
    }

    @Test
    void imagesInfoAndVersionTemplates() {
        String repo = image.substring(0, image.lastIndexOf(':'));
        assertEquals(repo + ":latest\n", env.ok("images", "--format", "{{.Repository}}:{{.Tag}}").stdout());
        String shortId = env.inspect(image).path("Id").asText().substring(0, 12);
        assertEquals(List.of("IMAGE ID       TAG", shortId + "   latest"),
                env.ok("images", "--format", "table {{.ID}}\t{{.Tag}}").stdout().lines().toList());
        assertTrue(env.ok("info", "--format", "{{.Host.Arch}}/{{.Store.GraphDriverName}}").stdout().matches("(amd64|arm64)/\\S+\n"));
        assertTrue(env.ok("version", "--format", "{{.Client.Version}}").stdout().matches("\\d+\\.\\d+\\.\\d+\n"));
    }

    @Test
    void aTemplateThatCannotWorkIsOneClearLine() {
        for (List<String> args : List.of(List.of("inspect", "-f", "{{.State.Statsu}}", "tpl"), List.of("ps", "--format", "{{.Names"),
                List.of("images", "--format", "yaml"), List.of("ps", "--format", "{{nosuch .Names}}"))) {
            Result r = env.run(JpodEnv.NORMAL, args.toArray(String[]::new));
            assertEquals(125, r.exitCode(), r::toString);
            assertEquals(1, r.stderr().lines().count(), r::toString);
            assertTrue(r.stderr().startsWith("Error: ") && r.stderr().contains("--format"), r::toString);
            assertEquals("", r.stdout(), r::toString);
        }
        Result r = env.run(JpodEnv.NORMAL, "inspect", "-f", "{{.Id}}", "no-such-thing");
        assertEquals(125, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("no-such-thing"), r::toString);
    }

    @Test
    void theContainerGroupAndExists() {
        assertEquals("tpl\n", env.ok("container", "ls", "--format", "{{.Names}}").stdout());
        assertEquals("running\n", env.ok("container", "inspect", "-f", "{{.State.Status}}", "tpl").stdout());
        Result notAContainer = env.run(JpodEnv.NORMAL, "container", "inspect", image);
        assertEquals(125, notAContainer.exitCode(), notAContainer::toString);
        assertEquals("hi\n", env.ok("container", "run", "--rm", image, "echo", "hi").stdout());
        assertEquals(0, env.run(JpodEnv.NORMAL, "container", "exists", "tpl").exitCode());
        assertEquals(1, env.run(JpodEnv.NORMAL, "container", "exists", "nope").exitCode());
        assertEquals(0, env.run(JpodEnv.NORMAL, "image", "exists", image).exitCode());
        assertEquals(1, env.run(JpodEnv.NORMAL, "image", "exists", "localhost/nope:1").exitCode());
        assertEquals(1, env.run(JpodEnv.NORMAL, "volume", "exists", "nope").exitCode());
    }

    @Test
    void filtersAndLogWindows() {
        env.ok("run", "--name", "filt-ok", image, "sh", "-c", "echo early");
        Result bad = env.run(JpodEnv.NORMAL, "run", "--name", "filt-bad2", image, "sh", "-c", "exit 4");
        assertEquals(4, bad.exitCode(), bad::toString);
        assertEquals(List.of("filt-bad2"), env.ok("ps", "-a", "--filter", "exited=4", "--format", "{{.Names}}").stdout().lines().toList());
        assertEquals(List.of("filt-ok", "filt-bad2"), env.ok("ps", "-a", "--filter", "exited=4", "--filter", "exited=0",
                "--filter", "ancestor=" + image, "--format", "{{.Names}}").stdout().lines().toList());
        assertEquals(List.of("filt-bad2"), env.ok("ps", "-a", "--filter", "since=filt-ok", "--filter", "status=exited",
                "--format", "{{.Names}}").stdout().lines().filter(n -> n.startsWith("filt-")).toList());
        assertEquals("", env.ok("images", "-q", "--filter", "dangling=true").stdout());
        assertEquals(1, env.ok("images", "-q", "--filter", "dangling=false").stdout().lines().count());
        assertEquals("early\n", env.ok("logs", "--until", "2099-01-01T00:00:00Z", "filt-ok").stdout());
        assertEquals("", env.ok("logs", "--until", "2000-01-01T00:00:00Z", "filt-ok").stdout());
        env.ok("rm", "filt-ok", "filt-bad2");
    }

    @Test
    void eventsRecordWhatHappened() {
        String id = env.ok("run", "-d", "--name", "evt", image, "sh", "-c", "exit 3").stdout().strip();
        assertEquals("3\n", env.ok("wait", "evt").stdout());
        env.ok("rm", "evt");
        List<String> seen = env.ok("events", "--stream=false", "--filter", "container=evt", "--format", "{{.Status}} {{.ID}}")
                .stdout().lines().toList();
        assertEquals(List.of("create " + id, "start " + id, "died " + id, "remove " + id), seen);
        JsonNode died = env.ok("events", "--stream=false", "--filter", "container=evt", "--filter", "event=died", "--format", "json").json();
        assertEquals("3", died.path("Attributes").path("containerExitCode").asText(), died::toString);
        assertEquals("evt", died.path("Name").asText(), died::toString);
        assertEquals("", env.ok("events", "--stream=false", "--since", "2099-01-01T00:00:00Z").stdout());
        // streaming ends at --until (a second from now)
        Result bounded = env.run(JpodEnv.NORMAL, "events", "--since", "1h", "--until",
                java.time.Instant.now().plusSeconds(1).toString(), "--filter", "container=evt");
        assertEquals(0, bounded.exitCode(), bounded::toString);
        assertEquals(4, bounded.stdout().lines().count(), bounded::toString);
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void allLatestIgnoreAndRmExitCodes() {
        String first = env.ok("run", "-d", "--name", "sel-1", image, "sleep", "300").stdout().strip();
        String second = env.ok("run", "-d", "--name", "sel-2", image, "sleep", "300").stdout().strip();
        assertEquals("sel-2\n", env.ok("ps", "-l", "--format", "{{.Names}}").stdout());
        // podman 4.3.1 lists the oldest first (its default --sort created), -n too
        assertEquals(List.of("sel-1", "sel-2"), env.ok("ps", "-n", "2", "--format", "{{.Names}}").stdout().lines().toList());
        assertEquals(second + "\n", env.ok("stop", "-l", "-t", "0").stdout());
        // one missing name does not stop the others: reported, the rest done, podman's exit code for rm (1)
        Result rm = env.run(JpodEnv.NORMAL, "rm", "no-such", "sel-2");
        assertEquals(1, rm.exitCode(), rm::toString);
        assertEquals("sel-2\n", rm.stdout(), rm::toString);
        assertTrue(rm.stderr().contains("no-such"), rm::toString);
        assertEquals(0, env.run(JpodEnv.NORMAL, "rm", "-i", "no-such").exitCode());
        Result running = env.run(JpodEnv.NORMAL, "rm", "sel-1");
        assertEquals(2, running.exitCode(), running::toString);
        Result neither = env.run(JpodEnv.NORMAL, "stop");
        assertEquals(125, neither.exitCode(), neither::toString);
        // --all: stop acts on the running ones (sel-1 and tpl), rm on all
        List<String> stopped = env.ok("stop", "-a", "-t", "0").stdout().lines().sorted().toList();
        assertEquals(List.of(first, id).stream().sorted().toList(), stopped);
        env.ok("rm", "-a");
        assertEquals("", env.ok("ps", "-a", "-q").stdout());
    }
}
