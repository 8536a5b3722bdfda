package io.jpod.tests.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /** Asserts jpod's refusal of bad input: exit 125 and one line, "Error: …" mentioning {@code mention}. */
    public void assertOneError(String mention) {
        assertEquals(125, exitCode, this::toString);
        List<String> lines = stderr.strip().lines().toList();
        assertEquals(1, lines.size(), this::toString);
        assertTrue(lines.get(0).startsWith("Error: ") && lines.get(0).contains(mention), () -> "expected an error mentioning " + mention + this);
    }

    /** stdout's last line (what build, commit and the like print last: the image id). */
    public String lastLine() {
        List<String> lines = stdout.strip().lines().toList();
        return lines.get(lines.size() - 1);
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
