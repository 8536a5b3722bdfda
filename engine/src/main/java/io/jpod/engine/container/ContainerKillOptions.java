package io.jpod.engine.container;

/** `kill`: @param signal a name (KILL, SIGTERM) or number, as the user gave it. */
public record ContainerKillOptions(String signal) {
}
