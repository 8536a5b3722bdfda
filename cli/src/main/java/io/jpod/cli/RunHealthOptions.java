package io.jpod.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jpod.engine.EngineException;
import io.jpod.engine.GoDuration;
import io.jpod.storage.HealthcheckConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** `jpod run` health check flags (podman's); they override the image's HEALTHCHECK. */
@Command
public final class RunHealthOptions {
    @Option(names = "--health-cmd", paramLabel = "COMMAND", description = "Health check: a shell command, a JSON array (exec form), or none")
    String cmd;

    @Option(names = "--health-interval", paramLabel = "DURATION", description = "Time between checks (default 30s)")
    String interval;

    @Option(names = "--health-timeout", paramLabel = "DURATION", description = "A check taking longer fails (default 30s)")
    String timeout;

    @Option(names = "--health-retries", paramLabel = "N", description = "Failures in a row before unhealthy (default 3)")
    Integer retries;

    @Option(names = "--health-start-period", paramLabel = "DURATION", description = "Failures in this time after start do not count (default 0s)")
    String startPeriod;

    @Option(names = "--no-healthcheck", description = "No health check, not even the image's")
    boolean none;

    /** The override, or null to keep the image's check; ["NONE"] disables it. */
    HealthcheckConfig toConfig() {
        if (none || "none".equals(cmd)) {
            return new HealthcheckConfig(List.of("NONE"), null, null, null, null);
        }
        if (cmd == null) {
            if (interval != null || timeout != null || retries != null || startPeriod != null) {
                throw new EngineException("--health-interval, --health-timeout, --health-retries and --health-start-period need --health-cmd");
            }
            return null;
        }
        if (cmd.isBlank()) {
            throw new EngineException("--health-cmd is empty: give a command, or none");
        }
        if (retries != null && retries < 1) {
            throw new EngineException("--health-retries must be at least 1");
        }
        List<String> test = new ArrayList<>();
        if (cmd.strip().startsWith("[")) {
            try {
                test.add("CMD");
                test.addAll(new ObjectMapper().readValue(cmd, new TypeReference<List<String>>() { }));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new EngineException("--health-cmd " + cmd + " is not a JSON array of strings: " + e.getOriginalMessage());
            }
            if (test.size() == 1) {
                throw new EngineException("--health-cmd []: the exec form needs a command");
            }
        } else {
            test.addAll(List.of("CMD-SHELL", cmd));
        }
        return new HealthcheckConfig(test, interval == null ? null : positive("--health-interval", interval),
                timeout == null ? null : positive("--health-timeout", timeout), startPeriod == null ? null
                : GoDuration.parseNanos(startPeriod, "--health-start-period"), retries);
    }

    private static long positive(String flag, String value) {
        long n = GoDuration.parseNanos(value, flag);
        if (n <= 0) {
            throw new EngineException(flag + " must be more than 0");
        }
        return n;
    }
}
