package io.jpod.cli;

import io.jpod.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.jpod.engine.EngineException;
import io.jpod.engine.container.LogOptions;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** `jpod logs`: Show the output of a container. */
@Command(name = "logs", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = "Show the output of a container.")
public final class LogsCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new output until the container ends")
    boolean follow;

    @Option(names = {"-n", "--tail"}, paramLabel = "N", defaultValue = "-1", description = "Only the last N lines (default: all)")
    int tail;

    @Option(names = "--since", paramLabel = "TIME", description = "Only output since TIME: RFC 3339, unix seconds, or a duration such as 10s, 5m, 1h")
    String since;

    @Option(names = "--until", paramLabel = "TIME", description = "Only output up to TIME (same forms as --since; -f stops then)")
    String until;

    @Option(names = {"-t", "--timestamps"}, description = "Show the time of each line")
    boolean timestamps;

    @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Container names or ids (with several, each line starts with its container's short id)")
    List<String> containers;

    @Override
    public Integer call() {
        try (Engine engine = jpod.engine()) {
            engine.containers().logs(containers, new LogOptions(follow, tail, since == null ? null : parseTime("--since", since),
                    until == null ? null : parseTime("--until", until), timestamps), jpod.context());
            return 0;
        }
    }

    static Instant parseTime(String option, String s) {
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            // not a timestamp
        }
        if (s.matches("\\d+(\\.\\d+)?")) {
            return Instant.ofEpochMilli((long) (Double.parseDouble(s) * 1000));
        }
        try {
            return Instant.now().minus(Duration.parse("PT" + s.toUpperCase(java.util.Locale.ROOT)));
        } catch (DateTimeParseException e) {
            throw new EngineException("invalid " + option + " \"" + s + "\": use an RFC 3339 time, unix seconds or a duration such as 10s, 5m, 1h");
        }
    }
}
