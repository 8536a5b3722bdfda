package io.jpod.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CommandsTest {
    private static String[] alias(String... args) {
        return Commands.containerGroupAlias(args);
    }

    @Test
    void theContainerGroupRunsTheTopLevelCommand() {
        assertArrayEquals(new String[]{"ps", "-a"}, alias("container", "ls", "-a"));
        assertArrayEquals(new String[]{"ps"}, alias("container", "list"));
        assertArrayEquals(new String[]{"--root", "/r", "stop", "-t", "0", "web"}, alias("--root", "/r", "container", "stop", "-t", "0", "web"));
        assertArrayEquals(new String[]{"inspect", "--type", "container", "-f", "{{.Id}}", "web"}, alias("container", "inspect", "-f", "{{.Id}}", "web"));
        assertArrayEquals(new String[]{"run", "--rm", "img", "container", "ls"}, alias("container", "run", "--rm", "img", "container", "ls"));
    }

    @Test
    void podmansOlderKubeSpellings() {
        assertArrayEquals(new String[]{"kube", "generate", "web"}, alias("generate", "kube", "web"));
        assertArrayEquals(new String[]{"--root", "/r", "kube", "play", "-"}, alias("--root", "/r", "play", "kube", "-"));
        assertArrayEquals(new String[]{"kube", "play", "x"}, alias("kube", "play", "x"));
    }

    @Test
    void everythingElseIsLeftAsItIs() {
        for (String[] args : new String[][]{{"container", "prune"}, {"container", "exists", "x"}, {"container"}, {"ps", "container"},
                {"run", "img", "container", "ls"}, {}}) {
            assertArrayEquals(args, alias(args));
        }
        assertEquals("ps", Commands.commandName(new String[]{"--storage-driver", "vfs", "ps"}));
    }
}
