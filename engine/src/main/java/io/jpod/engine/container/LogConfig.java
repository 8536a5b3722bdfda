package io.jpod.engine.container;

import io.jpod.engine.EngineException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * `run --log-driver`/`--log-opt`, podman's meaning: the k8s-file driver (json-file is podman's alias for it) or
 * none; {@code max-size=SIZE} (go-units' human sizes, decimal: 10k = 10000 bytes; -1: no cap), past which the
 * monitor rotates the log to {@code PATH.1}; {@code path=FILE} instead of {@code ctr.log} in the container's
 * directory.
 *
 * @param driver  "k8s-file" or "none"
 * @param path    the log file (null: the default)
 * @param maxSize bytes (null: jpod's default cap, {@link Lifecycle#LOG_MAX}; -1: none)
 */
public record LogConfig(String driver, String path, Long maxSize) {
    public static final LogConfig DEFAULT = new LogConfig("k8s-file", null, null);
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?) ?([kmgtp])?i?b?");

    public static LogConfig parse(String driver, List<String> options) {
        String d = driver == null ? "k8s-file" : driver;
        if (d.equals("json-file")) {
            d = "k8s-file";
        }
        if (!d.equals("k8s-file") && !d.equals("none")) {
            throw new EngineException("log driver \"" + driver + "\" is not supported: use k8s-file or none");
        }
        String path = null;
        Long max = null;
        for (String o : options == null ? List.<String>of() : options) {
            int eq = o.indexOf('=');
            String key = eq < 0 ? o : o.substring(0, eq);
            String value = eq < 0 ? "" : o.substring(eq + 1);
            switch (key) {
                case "max-size" -> max = parseSize(value);
                case "path" -> {
                    if (!Path.of(value).isAbsolute()) {
                        throw new EngineException("--log-opt path=" + value + " must be an absolute path");
                    }
                    path = Path.of(value).normalize().toString();
                }
                default -> throw new EngineException("--log-opt " + o + " is not supported: use max-size=SIZE or path=FILE");
            }
        }
        if (d.equals("none") && (path != null || max != null)) {
            throw new EngineException("--log-opt has no meaning with --log-driver none");
        }
        return new LogConfig(d, path, max);
    }

    /** go-units' FromHumanSize: decimal multiples, an optional "i" and "b" ignored; -1 means no cap. */
    static long parseSize(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        if (v.equals("-1")) {
            return -1;
        }
        Matcher m = SIZE.matcher(v);
        if (!m.matches()) {
            throw new EngineException("invalid log size \"" + value + "\": use a number with an optional unit (k, m, g), e.g. 10m");
        }
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2);
        int power = "kmgtp".indexOf(unit.isEmpty() ? ' ' : unit.charAt(0)) + 1;
        double bytes = n * Math.pow(1000, power);
        if (bytes < 1 || bytes > (1L << 40)) {
            throw new EngineException("log size \"" + value + "\" is out of range (1 byte to 1 TB)");
        }
        return (long) bytes;
    }

    /** inspect's HostConfig.LogConfig, podman's shape. */
    static java.util.Map<String, Object> inspect(io.jpod.storage.ContainerRecord r, Path logFile) {
        var cfg = r.lifecycle() == null ? null : r.lifecycle().config();
        String driver = cfg == null || cfg.logDriver() == null ? "k8s-file" : cfg.logDriver();
        Long max = cfg == null ? null : cfg.logMaxSize();
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("Type", driver);
        m.put("Path", driver.equals("none") ? "" : logFile.toString());
        m.put("Size", max == null ? "16MB" : max < 0 ? "-1" : humanSize(max));
        return m;
    }

    /** go-units' HumanSize: decimal, up to 4 significant digits. */
    static String humanSize(long bytes) {
        String[] units = {"B", "kB", "MB", "GB", "TB"};
        double v = bytes;
        int i = 0;
        while (v >= 1000 && i < units.length - 1) {
            v /= 1000;
            i++;
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString() + units[i];
    }
}
