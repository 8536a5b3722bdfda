package io.jpod.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.io.OutputStream;
import java.io.PrintStream;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * podman's global options that jpod's own ones ({@code --root}, {@code --runroot}, {@code --storage-driver}) don't
 * cover, as a mixin of the top-level command: given before the command, as podman takes them. Each is either
 * honoured ({@code --log-level}, {@code --noout}, {@code --events-backend file}, {@code --cgroup-manager cgroupfs},
 * {@code --storage-opt}) or refused with podman's shape — one {@code Error:} line, exit 125 — where jpod has nothing
 * behind it (remote connections, systemd, journald). {@link #check} runs once, after parsing and before the command.
 */
public final class GlobalOptions {
    /** podman's (logrus's) levels, least to most verbose. */
    static final List<String> LOG_LEVELS = List.of("panic", "fatal", "error", "warn", "warning", "info", "debug", "trace");

    /** Commands that start a container's process, where podman hands --runtime-flag to the OCI runtime. */
    private static final List<String> RUNTIME_COMMANDS = List.of("run", "start", "restart", "exec", "create");

    @Option(names = "--log-level", paramLabel = "LEVEL", description = "Log messages at and above: "
            + "trace, debug, info, warn, warning, error, fatal, panic (default: warn)")
    String logLevel;

    @Option(names = {"-D", "--debug"}, description = "Docker's name for --log-level=debug")
    boolean debug;

    @Option(names = "--noout", description = "Do not print to stdout")
    boolean noout;

    @Option(names = "--events-backend", paramLabel = "BACKEND", description = "Where events are recorded: file, or none (events cannot be read then)")
    String eventsBackend;

    @Option(names = "--cgroup-manager", paramLabel = "MANAGER", description = "cgroupfs (jpod's only one)")
    String cgroupManager;

    @Option(names = "--runtime-flag", paramLabel = "FLAG", description = "A flag for the OCI runtime (jpod's helper takes none)")
    List<String> runtimeFlags = new ArrayList<>();

    @Option(names = "--storage-opt", paramLabel = "OPTION", description = "Storage driver option (none are taken yet)")
    List<String> storageOpts = new ArrayList<>();

    @Option(names = "--volumepath", paramLabel = "DIR", description = "Where volumes live (default: ROOT/volumes); give it to every command that uses those volumes")
    String volumePath;

    @Option(names = {"-r", "--remote"}, description = "Access a remote service (not supported: jpod runs without a service)")
    boolean remote;

    @Option(names = "--url", paramLabel = "URL", description = "Remote service URL (not supported)")
    String url;

    @Option(names = {"-c", "--connection"}, paramLabel = "NAME", description = "Remote connection name (not supported)")
    String connection;

    @Option(names = "--identity", paramLabel = "FILE", description = "SSH key of a remote connection (not supported)")
    String identity;

    /**
     * Validates the combination, logs what the log level asks for, and applies {@code --noout}.
     *
     * @param command the command about to run (null when none was given)
     * @return -1 to go on, else the exit code (the message is printed)
     */
    int check(String command, JpodCommand jpod) {
        PrintStream err = jpod.err;
        if (logLevel != null && !LOG_LEVELS.contains(logLevel.toLowerCase(Locale.ROOT))) {
            // podman prints this bare (no "Error:") and exits 1, before anything else
            err.println("Log Level \"" + logLevel + "\" is not supported; choose one of: " + String.join(", ", LOG_LEVELS));
            return 1;
        }
        if (debug && logLevel != null && !logLevel.equalsIgnoreCase("debug")) {
            err.println("Setting --log-level and --debug is not allowed");
            return 1;
        }
        String which = remote ? "--remote" : url != null ? "--url" : connection != null ? "--connection"
                : identity != null ? "--identity" : null;
        if (which != null && command != null) {
            err.println("Error: " + which + " is not supported: jpod talks only to the local user's own service; "
                    + "run the command without it, on the machine that holds the containers");
            return Main.EXIT_ENGINE;
        }
        if ("none".equals(eventsBackend) && "events".equals(command)) {
            err.println("Error: cannot read events with the \"none\" backend");
            return Main.EXIT_ENGINE;
        }
        if (eventsBackend != null && !eventsBackend.equals("file") && !eventsBackend.equals("none")) {
            err.println("Error: " + (eventsBackend.equals("journald")
                    ? "the journald events backend is not supported: jpod records events in a file; use --events-backend file"
                    : "unknown --events-backend \"" + eventsBackend + "\": use file or none"));
            return Main.EXIT_ENGINE;
        }
        if (cgroupManager != null && !cgroupManager.equals("cgroupfs")) {
            err.println("Error: " + (cgroupManager.equals("systemd")
                    ? "the systemd cgroup manager is not supported: jpod manages cgroups itself; use --cgroup-manager cgroupfs"
                    : "unknown --cgroup-manager \"" + cgroupManager + "\": use cgroupfs"));
            return Main.EXIT_ENGINE;
        }
        for (String opt : storageOpts) {
            if (!opt.isEmpty()) {
                err.println("Error: --storage-opt " + opt + " is not supported: jpod's storage drivers take no options");
                return Main.EXIT_ENGINE;
            }
        }
        if (!runtimeFlags.isEmpty() && RUNTIME_COMMANDS.contains(command)) {
            // podman passes these to runc/crun, which reject what they don't know: the container cannot start (126)
            err.println("Error: OCI runtime error: --runtime-flag " + String.join(" ", runtimeFlags)
                    + ": jpod starts containers with its own helper, which takes no runtime flags");
            return 126;
        }
        if (!runtimeFlags.isEmpty() && "build".equals(command)) {
            // podman's build hands them to the runtime of each RUN, which refuses them: the build fails with its status 1
            err.println("Error: building: OCI runtime error: --runtime-flag " + String.join(" ", runtimeFlags)
                    + ": jpod runs RUN steps with its own helper, which takes no runtime flags");
            return 1;
        }
        log(err, "info", "jpod filtering at log level " + effectiveLevel());
        log(err, "debug", "Called " + command + " with global options: log level " + effectiveLevel());
        log(err, "trace", "storage root " + (jpod.root != null ? jpod.root : "(default)") + ", run root "
                + (jpod.runRoot != null ? jpod.runRoot : "(default)"));
        if (noout) {
            jpod.out = new PrintStream(OutputStream.nullOutputStream());
        }
        return -1;
    }

    /** The level in force: --log-level, else debug for --debug, else warn. */
    String effectiveLevel() {
        return logLevel != null ? logLevel.toLowerCase(Locale.ROOT) : debug ? "debug" : "warn";
    }

    /** Prints a logrus-style line ({@code time="…" level=… msg="…"}) when the level in force includes {@code level}. */
    void log(PrintStream err, String level, String message) {
        if (LOG_LEVELS.indexOf(level) <= LOG_LEVELS.indexOf(effectiveLevel())) {
            String time = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            err.println("time=\"" + time + "\" level=" + level + " msg=\"" + message.replace("\"", "\\\"") + "\"");
        }
    }

    /** A warning, logrus-style, as podman prints one (shown unless the level is error or quieter). */
    void warn(PrintStream err, String message) {
        if (LOG_LEVELS.indexOf(effectiveLevel()) >= LOG_LEVELS.indexOf("warn")) {
            String time = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            err.println("time=\"" + time + "\" level=warning msg=\"" + message.replace("\"", "\\\"") + "\"");
        }
    }

    /** Runs the parsed command after {@link #check}: the top-level command's execution strategy. */
    static int execute(CommandLine.ParseResult parsed, JpodCommand jpod) {
        CommandLine.ParseResult sub = parsed.subcommand();
        String command = sub != null ? sub.commandSpec().name() : null;
        if (parsed.isUsageHelpRequested() && (jpod.global.url != null || jpod.global.connection != null
                || jpod.env.get("CONTAINER_HOST") != null || jpod.env.get("CONTAINER_CONNECTION") != null)) {
            // a connection is already named: --remote is implied, so podman's help leaves it out
            parsed.commandSpec().remove(parsed.commandSpec().findOption("--remote"));
        }
        if (parsed.isUsageHelpRequested() || parsed.isVersionHelpRequested()
                || (sub != null && (sub.isUsageHelpRequested() || sub.isVersionHelpRequested()))) {
            return new CommandLine.RunLast().execute(parsed);
        }
        int rc = jpod.global.check(command, jpod);
        if (rc >= 0) {
            return rc;
        }
        CommandLine.ParseResult last = parsed;
        while (last.subcommand() != null) {
            last = last.subcommand();
        }
        if (!last.commandSpec().helpCommand() && !CobraStyle.visibleSubcommands(last.commandSpec()).isEmpty()) {
            // a group without its subcommand (`podman`, `podman image`): the usage, then cobra's error
            last.commandSpec().commandLine().usage(jpod.out);
            jpod.out.flush();
            jpod.err.println("Error: missing command '" + CobraStyle.commandPath(last.commandSpec()) + " COMMAND'");
            return Main.EXIT_ENGINE;
        }
        return new CommandLine.RunLast().execute(parsed);
    }
}
