package io.jpod.engine.container;

import io.jpod.engine.EngineException;
import java.util.List;
import java.util.Locale;

/** Linux signal names and numbers, as `kill -s`, `--stop-signal` and image StopSignal spell them. */
public final class Signals {
    private static final List<String> NAMES = List.of("HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL",
            "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU",
            "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS");
    public static final int KILL = 9;
    public static final int TERM = 15;

    private Signals() {
    }

    /**
     * "TERM", "SIGTERM", "sigterm", "15" or "-15" → 15. The errors are podman's ("invalid signal: X" for what is no
     * signal, "valid signals are 1 through 64" for a number out of range), a leading dash dropped as podman does.
     */
    public static int parse(String s) {
        String given = s == null ? "" : s.startsWith("-") ? s.substring(1) : s;
        String t = given.strip().toUpperCase(Locale.ROOT);
        if (t.isEmpty()) {
            throw new EngineException("invalid signal: " + given);
        }
        if (t.chars().allMatch(Character::isDigit)) {
            int n = Integer.parseInt(t.length() > 3 ? "999" : t);
            if (n == 0) {
                throw new EngineException("invalid signal: " + given);
            }
            if (n > 64) {
                throw new EngineException("valid signals are 1 through 64");
            }
            return n;
        }
        if (t.startsWith("SIG")) {
            t = t.substring(3);
        }
        if (t.matches("RTMIN(\\+[0-9]{1,2})?")) {
            return 34 + (t.length() > 5 ? Integer.parseInt(t.substring(6)) : 0);
        }
        int i = NAMES.indexOf(t);
        if (i < 0) {
            throw new EngineException("invalid signal: " + given);
        }
        return i + 1;
    }

    /** 15 → "SIGTERM". */
    public static String name(int n) {
        return n >= 1 && n <= NAMES.size() ? "SIG" + NAMES.get(n - 1) : Integer.toString(n);
    }
}
