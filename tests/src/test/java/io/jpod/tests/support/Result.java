package io.jpod.tests.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.UncheckedIOException;
import java.util.List;

/** Outcome of one finished command; toString is written for assertion messages. */
public record Result(int exitCode, String stdout, String stderr, List<String> command) {

    public Result {
        command = List.copyOf(command);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** This result, after asserting the command succeeded (the whole result in the failure message). */
    public Result ok() {
        assertEquals(0, exitCode, () -> "expected success: " + this);
        return this;
    }

    /** stdout parsed as JSON (`--format json`, `inspect`). */
    public JsonNode json() {
        try {
            return JSON.readTree(stdout);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("stdout is not JSON: " + this, e);
        }
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
