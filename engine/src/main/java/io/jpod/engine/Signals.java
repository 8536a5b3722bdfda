package io.jpod.engine;

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

    /** "TERM", "SIGTERM", "sigterm" or "15" → 15. */
    public static int parse(String s) {
        if (s == null || s.isBlank()) {
            throw new EngineException("empty signal name: use a name such as SIGTERM or a number");
        }
        String t = s.strip().toUpperCase(Locale.ROOT);
        if (t.chars().allMatch(Character::isDigit)) {
            int n = Integer.parseInt(t.length() > 3 ? "999" : t);
            if (n < 1 || n > 64) {
                throw new EngineException("invalid signal number " + s + ": use 1 to 64");
            }
            return n;
        }
        if (t.startsWith("SIG")) {
            t = t.substring(3);
        }
        if (t.startsWith("RTMIN")) {
            return 34 + (t.length() > 5 ? Integer.parseInt(t.substring(6)) : 0);
        }
        int i = NAMES.indexOf(t);
        if (i < 0) {
            throw new EngineException("invalid signal \"" + s + "\": use a name such as SIGTERM, SIGKILL, SIGHUP or a number");
        }
        return i + 1;
    }

    /** 15 → "SIGTERM". */
    public static String name(int n) {
        return n >= 1 && n <= NAMES.size() ? "SIG" + NAMES.get(n - 1) : Integer.toString(n);
    }
}
