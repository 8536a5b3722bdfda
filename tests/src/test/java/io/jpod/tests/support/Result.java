package io.jpod.tests.support;

import java.util.List;

/** Outcome of one finished command; toString is written for assertion messages. */
public record Result(int exitCode, String stdout, String stderr, List<String> command) {

    public Result {
        command = List.copyOf(command);
    }

    /** stdout split into lines, each with runs of blanks collapsed to one space and trimmed; blank lines dropped. */
    public List<String> normalisedLines() {
        return stdout.lines().map(l -> l.strip().replaceAll("\\s+", " ")).filter(l -> !l.isEmpty()).toList();
    }

    @Override
    public String toString() {
        return "\n$ " + String.join(" ", command) + "\nexit code: " + exitCode
                + "\n--- stdout ---\n" + stdout + (stdout.endsWith("\n") || stdout.isEmpty() ? "" : "\\ no newline\n")
                + "--- stderr ---\n" + stderr + (stderr.endsWith("\n") || stderr.isEmpty() ? "" : "\n")
                + "--------------";
    }
}
