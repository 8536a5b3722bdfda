package io.jpod.engine.container;

import io.jpod.engine.EngineException;
import io.jpod.storage.ContainerState;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jpod.storage.ContainerRecord;
import io.jpod.storage.HealthcheckConfig;
import io.jpod.storage.Store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Health checks (`--health-cmd` or the image's HEALTHCHECK): `jpod healthcheck run` runs the check in the
 * container as `exec` does, with its timeout, and keeps podman's health state in the container's directory
 * ({@code healthcheck.json}: starting → healthy, or unhealthy after {@code retries} failures in a row; failures
 * within the start period do not count). `inspect` shows it as State.Health, `ps` after the status.
 */
public final class HealthChecks {
    static final String STARTING = "starting";
    static final String HEALTHY = "healthy";
    static final String UNHEALTHY = "unhealthy";
    private static final String FILE = "healthcheck.json";
    private static final int KEPT_RESULTS = 5;
    private static final int KEPT_OUTPUT = 4096;
    /** Built on first use: `run` loads this class to ask whether there is a check, which must stay cheap. */
    private static final class Holder {
        static final ObjectMapper JSON = new ObjectMapper();
    }

    /** podman's State.Health: the status, failures in a row, the last results. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record State(@JsonProperty("Status") String status, @JsonProperty("FailingStreak") int failingStreak,
                 @JsonProperty("Log") List<Result> log) {
        public State {
            log = log == null ? List.of() : List.copyOf(log);
        }
    }

    /** One check: when it ran, its exit code (-1: timed out), the start of its output. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Result(@JsonProperty("Start") String start, @JsonProperty("End") String end,
                  @JsonProperty("ExitCode") int exitCode, @JsonProperty("Output") String output) {
    }

    private final Store store;
    private final Lifecycle lifecycle;
    private final ExecRunner exec;

    public HealthChecks(Store store, Lifecycle lifecycle, ExecRunner exec) {
        this.store = store;
        this.lifecycle = lifecycle;
        this.exec = exec;
    }

    /** Runs the check once; returns the resulting status. */
    public String run(String idOrName) {
        ContainerRecord c = lifecycle.current(idOrName);
        HealthcheckConfig hc = config(c);
        if (hc == null) {
            throw new EngineException("container " + c.name() + " has no defined healthcheck: give it one with --health-cmd when you run it");
        }
        if (c.state() != ContainerState.RUNNING) {
            throw new EngineException("container " + c.name() + " is not running; start it first");
        }
        List<String> command = hc.test().get(0).equals("CMD-SHELL")
                ? List.of("/bin/sh", "-c", String.join(" ", hc.test().subList(1, hc.test().size())))
                : hc.test().subList(1, hc.test().size());
        if (command.isEmpty()) {
            throw new EngineException("the healthcheck of container " + c.name() + " has no command");
        }
        Path out = null;
        Instant start = Instant.now();
        int code;
        String output;
        try {
            out = Files.createTempFile(lifecycle.runDir(c.id()), "health.", ".out");
            code = exec.exec(new ExecRequest(c.id(), command, List.of(), null, null, false, false, false), out,
                    Duration.ofNanos(hc.timeoutOrDefault()));
            output = head(out);
        } catch (IOException e) {
            throw new EngineException("cannot run the healthcheck of container " + c.name() + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(out);
        }
        Instant end = Instant.now();
        if (code == ExecRunner.TIMED_OUT) {
            output = "the healthcheck took longer than its timeout of " + Duration.ofNanos(hc.timeoutOrDefault()).toMillis() + " ms";
        }
        return record(c, hc, new Result(start.toString(), end.toString(), code, output));
    }

    private String record(ContainerRecord c, HealthcheckConfig hc, Result result) {
        return store.locked(() -> {
            State before = ofThisRun(read(store, c.id()), c);
            State now = next(before, hc, result, c.lifecycle().startedAt());
            try {
                Lifecycle.writeAtomic(file(store, c.id()), Holder.JSON.writeValueAsBytes(now));
            } catch (IOException e) {
                throw new EngineException("cannot record the health of container " + c.name() + ": " + e.getMessage(), e);
            }
            return now.status();
        });
    }

    /** The state after one more result: podman's rules. */
    static State next(State before, HealthcheckConfig hc, Result result, Instant startedAt) {
        List<Result> log = new ArrayList<>(before == null ? List.of() : before.log());
        log.add(result);
        while (log.size() > KEPT_RESULTS) {
            log.remove(0);
        }
        String status = before == null ? STARTING : before.status();
        int streak = before == null ? 0 : before.failingStreak();
        if (result.exitCode() == 0) {
            return new State(HEALTHY, 0, log);
        }
        boolean inStartPeriod = startedAt != null && Instant.parse(result.start())
                .isBefore(startedAt.plusNanos(hc.startPeriodOrDefault()));
        if (inStartPeriod) {
            return new State(status, streak, log);
        }
        streak++;
        return new State(streak >= hc.retriesOrDefault() ? UNHEALTHY : status, streak, log);
    }

    /** The recorded state, "starting" before the first check of this run, or null without a check. */
    public static State state(Store store, ContainerRecord c) {
        if (config(c) == null) {
            return null;
        }
        State s = ofThisRun(read(store, c.id()), c);
        return s != null ? s : new State(STARTING, 0, List.of());
    }

    /** Results of an earlier run (the container was restarted since) do not count. */
    private static State ofThisRun(State s, ContainerRecord c) {
        Instant started = c.lifecycle() == null ? null : c.lifecycle().startedAt();
        if (s == null || started != null && !s.log().isEmpty()
                && Instant.parse(s.log().get(s.log().size() - 1).start()).isBefore(started)) {
            return null;
        }
        return s;
    }

    public static HealthcheckConfig config(ContainerRecord c) {
        HealthcheckConfig hc = c.lifecycle() == null || c.lifecycle().config() == null ? null : c.lifecycle().config().healthcheck();
        return hc != null && hc.active() ? hc : null;
    }

    private static State read(Store store, String id) {
        try {
            return Holder.JSON.readValue(Files.readAllBytes(file(store, id)), State.class);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null; // unreadable: starts over
        }
    }

    private static Path file(Store store, String id) {
        return store.containers().dir(id).resolve(FILE);
    }

    private static String head(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readNBytes(KEPT_OUTPUT), StandardCharsets.UTF_8);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // the run dir goes with the container
            }
        }
    }
}
