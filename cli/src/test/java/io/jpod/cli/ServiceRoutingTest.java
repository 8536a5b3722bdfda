package io.jpod.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which requests the per-user service runs, and which go to a JVM of their own. */
class ServiceRoutingTest {

    private static boolean served(String... args) {
        return ServiceRouting.servable(args, "/home/me/project");
    }

    @Test
    void everydayCommandsAreServed() {
        assertTrue(served("run", "--rm", "-it", "alpine", "sh"));
        assertTrue(served("--root", "/x", "ps", "-a"));
        assertTrue(served("exec", "c", "true"));
        assertTrue(served("container", "inspect", "c"));
        assertTrue(served("run", "-v", "/abs:/data", "-v", "named:/v", "--mount", "type=bind,src=/abs,dst=/d", "alpine"));
        assertTrue(served("--version"));
        assertTrue(served("build", "-t", "app", "."), "build resolves its context against the caller's directory");
        assertTrue(served("image", "build", "-f", "Containerfile.dev", "ctx"));
        assertTrue(served());
    }

    @Test
    void stdinDataAndCallerPathsGoInProcess() {
        assertFalse(served("load", "-i", "x.tar"));
        assertFalse(served("image", "save", "-o", "x.tar", "alpine"));
        assertFalse(served("container", "cp", "c:/etc/hosts", "."));
        assertFalse(served("--root", "/x", "unshare", "id"));
        assertFalse(served("run", "--env-file", "vars", "alpine"));
        assertFalse(served("run", "--cidfile=id", "alpine"));
        assertFalse(served("run", "-v", "./data:/data", "alpine"));
        assertFalse(served("run", "--volume=data/x:/data", "alpine"));
        assertFalse(served("run", "--mount", "type=bind,source=rel/dir,target=/d", "alpine"));
        assertFalse(served("build", "-t", "app", "-"), "a context tar on stdin");
        assertFalse(served("build", "-f", "-", "."), "a Containerfile on stdin");
        assertFalse(served("image", "build", "--file=-", "."));
        assertFalse(served("kube", "play", "-"));
        assertFalse(served("play", "kube", "app.yaml"));
        assertFalse(served("generate", "kube", "-f", "out.yaml", "web"));
        assertTrue(served("pod", "ps"));
    }

    @Test
    void helpOfAnInProcessCommandIsServed() {
        assertTrue(served("load", "--help"));
        assertTrue(served("image", "save", "--help"));
        assertFalse(served("unshare", "ls", "--help")); // the command's own --help
    }

    @Test
    void mistakesAndGroupsOfInProcessCommandsAreAnswered() {
        java.util.Map<String, String> env = java.util.Map.of("HOME", "/home/me");
        assertTrue(Main.answersWithoutRunning(new String[]{"load", "invalid-arg"}, env));
        assertTrue(Main.answersWithoutRunning(new String[]{"export"}, env));
        assertTrue(Main.answersWithoutRunning(new String[]{"volume"}, env));
        assertTrue(Main.answersWithoutRunning(new String[]{"image", "save", "--help"}, env));
        assertFalse(Main.answersWithoutRunning(new String[]{"load", "-i", "x.tar"}, env));
        assertFalse(Main.answersWithoutRunning(new String[]{"unshare", "ls", "--help"}, env));
        assertFalse(Main.answersWithoutRunning(new String[]{"volume", "ls"}, env));
    }
}
