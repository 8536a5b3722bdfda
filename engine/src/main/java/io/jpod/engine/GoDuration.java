package io.jpod.engine;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as podman's flags take them (Go's time.ParseDuration): "30s", "1m30s", "500ms", "1h"; a bare 0 too. */
public final class GoDuration {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

    private GoDuration() {
    }

    /** Nanoseconds; a malformed value fails naming the flag and the forms it takes. */
    public static long parseNanos(String value, String flag) {
        if (value.equals("0")) {
            return 0;
        }
        Matcher m = PART.matcher(value);
        int at = 0;
        double nanos = 0;
        while (at < value.length() && m.find(at) && m.start() == at) {
            double n = Double.parseDouble(m.group(1));
            nanos += n * switch (m.group(2)) {
                case "ns" -> 1L;
                case "us", "µs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            at = m.end();
        }
        if (at == 0 || at != value.length()) {
            throw new EngineException(flag + " " + value + " is not a duration: use e.g. 30s, 1m30s, 500ms or 1h");
        }
        return (long) nanos;
    }
}
