package io.jpod.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The y/N question podman asks before a prune or reset removes anything. The commands that ask (system, volume,
 * network) run in the client process (ServiceRouting), so System.in is the caller's terminal.
 */
final class PruneConfirmation {
    private PruneConfirmation() {
    }

    /** Prints the question as given (podman's end in "[y/N] ") and returns the answer line, or null at end of input. */
    static String ask(JpodCommand jpod, String question) throws IOException {
        jpod.out.print(question);
        jpod.out.flush();
        return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    }

    /** podman's prune test: an answer that begins with y (either case) goes ahead; none at all does not. */
    static boolean accepted(String answer) {
        return answer != null && answer.trim().toLowerCase(Locale.ROOT).startsWith("y");
    }
}
