package io.jpod.engine.system;

import java.util.List;

/**
 * `system check`: what was looked at and what was wrong ({@code consistent}: every problem repaired or harmless, as
 * the store's check judges it — orphan layers alone, what an interrupted pull leaves, do not count).
 */
public record SystemCheckReport(int images, int layers, int containers, List<Problem> problems, boolean consistent) {
    public SystemCheckReport {
        problems = List.copyOf(problems);
    }

    /** One finding; {@code repaired} says whether --repair fixed it. */
    public record Problem(String kind, String subject, String detail, boolean repaired) {
        /** The line `system check` prints for it. */
        @Override
        public String toString() {
            return kind + " " + subject + ": " + detail + (repaired ? " (repaired)" : "");
        }
    }
}
