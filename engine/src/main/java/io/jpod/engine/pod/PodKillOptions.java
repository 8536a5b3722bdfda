package io.jpod.engine.pod;

/** `pod kill`: @param signal a name or number, as the user gave it. */
public record PodKillOptions(String signal) {
}
