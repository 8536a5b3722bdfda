package io.jpod.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.CommandSpec;

/** cobra's __complete protocol over jpod's real command model, with the store's names and paths faked. */
class CobraCompletionTest {
    /** Records what was asked; answers with fixed names and paths. */
    private static final class Fake implements CobraCompletion.Sources {
        final List<String> asked = new ArrayList<>();

        @Override
        public List<String> names(String kind, String typed) {
            asked.add(kind + " " + typed);
            return List.of(kind.toLowerCase() + "-one", kind.toLowerCase() + "-two");
        }

        @Override
        public CobraCompletion.Paths paths(String kind, String ref, String typed) {
            asked.add("paths " + kind + " " + ref + " " + typed);
            return new CobraCompletion.Paths(List.of("/etc/", "/etc/os-release"), true);
        }
    }

    private final Fake fake = new Fake();
    private final CommandSpec root = Main.commandLine(Map.of(), new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(new ByteArrayOutputStream()), new String[]{"__complete"}).getCommandSpec();

    private CobraCompletion.Result complete(String typed, String... words) {
        return CobraCompletion.complete(root, List.of(words), typed, fake);
    }

    private static List<String> values(CobraCompletion.Result r) {
        return r.candidates().stream().map(c -> c[0]).toList();
    }

    @Test
    void commandsAreListedFromTheModelWithoutHiddenOnes() {
        CobraCompletion.Result r = complete("vol");
        assertEquals(List.of("volume"), values(r));
        assertEquals(CobraCompletion.NO_FILE_COMP, r.directive());
        assertTrue(values(complete("")).containsAll(List.of("run", "create", "cp", "volume", "ps")));
        assertTrue(values(complete("", "volume")).containsAll(List.of("create", "rm", "inspect")));
    }

    @Test
    void optionsOfTheCommandReached() {
        CobraCompletion.Result r = complete("--r", "run");
        assertTrue(values(r).contains("--rm"), values(r)::toString);
        assertTrue(values(r).stream().allMatch(v -> v.startsWith("--r")), values(r)::toString);
        assertEquals(CobraCompletion.NO_FILE_COMP, r.directive());
        assertTrue(values(complete("-", "run")).contains("-d"));
    }

    @Test
    void positionalsByTheirLabels() {
        CobraCompletion.Result images = complete("", "run", "--rm");
        assertEquals(List.of("image-one", "image-two"), values(images));
        assertEquals(CobraCompletion.NO_FILE_COMP, images.directive());
        assertEquals(List.of("container-one"), values(complete("container-o", "stop", "-t", "3")));
        assertEquals(List.of("volume-one", "volume-two"), values(complete("", "volume", "rm")));
        assertEquals(List.of("network-one", "network-two"), values(complete("", "network", "rm")));
        assertEquals(List.of("IMAGE ", "CONTAINER container-o", "VOLUME ", "NETWORK "), fake.asked);
    }

    @Test
    void aCommandAfterTheImageIsAPathInIt() {
        CobraCompletion.Result r = complete("/et", "run", "-e", "A=1", "--name=x", "img");
        assertEquals(List.of("paths IMAGE img /et"), fake.asked); // -e's value and --name=x are not positionals
        assertEquals(List.of("/etc/", "/etc/os-release"), values(r));
        assertEquals(CobraCompletion.NO_SPACE, r.directive());
    }

    @Test
    void anOptionsValueIsLeftToTheShell() {
        CobraCompletion.Result r = complete("", "run", "-e");
        assertEquals(List.of(), r.candidates());
        assertEquals(0, r.directive());
        assertEquals(List.of(), fake.asked);
    }

    @Test
    void cpTakesAContainerWithItsColonThenAPathInIt() {
        CobraCompletion.Result r = complete("", "cp");
        assertEquals(List.of("container-one:", "container-two:"), values(r));
        assertEquals(CobraCompletion.NO_SPACE, r.directive());
        CobraCompletion.Result p = complete("c1:/et", "cp");
        assertEquals(List.of("c1:/etc/", "c1:/etc/os-release"), values(p));
        assertEquals("paths CONTAINER c1 /et", fake.asked.get(1));
    }

    @Test
    void noMoreArgumentsMeansNoFileCompletion() {
        CobraCompletion.Result r = complete("", "rename", "a", "b");
        assertEquals(List.of(), r.candidates());
        assertEquals(CobraCompletion.NO_FILE_COMP, r.directive());
    }

    @Test
    void theProtocolsOutputAndDirectiveNames() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CobraCompletion.run(root, new String[]{"__completeNoDesc", "volume", "rm", ""}, fake,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code);
        assertEquals("volume-one\nvolume-two\n:4\n", out.toString(StandardCharsets.UTF_8));
        assertEquals("Completion ended with directive: ShellCompDirectiveNoFileComp\n", err.toString(StandardCharsets.UTF_8));
        ByteArrayOutputStream described = new ByteArrayOutputStream();
        CobraCompletion.run(root, new String[]{"__complete", "volu"}, fake, new PrintStream(described, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream()));
        assertTrue(described.toString(StandardCharsets.UTF_8).startsWith("volume\t"), described::toString);
        assertEquals("ShellCompDirectiveDefault", CobraCompletion.directiveName(0));
        assertEquals("ShellCompDirectiveNoSpace, ShellCompDirectiveNoFileComp", CobraCompletion.directiveName(6));
    }
}
