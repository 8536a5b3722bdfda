package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.container.ContainerStatsReport;
import io.jpod.engine.container.ContainerStatsStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** `jpod stats`: resource use of running containers, from their cgroups. */
@Command(name = "stats", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Display a live stream of container resource usage statistics.")
public final class StatsCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Option(names = "--no-stream", description = "Print one sample and exit")
    boolean noStream;

    @Option(names = "--format", paramLabel = "FORMAT", description = "json, table (default), or a Go template: {{.ID}} {{.Name}} {{.CPUPerc}} "
            + "{{.MemUsage}} {{.MemPerc}} {{.NetIO}} {{.BlockIO}} {{.PIDs}} ('table' before it adds a header)")
    String format;

    @Option(names = {"-i", "--interval"}, paramLabel = "SECONDS", description = "Seconds between samples when streaming (default 5)")
    int interval = 5;

    @Parameters(paramLabel = "CONTAINER", arity = "0..*", description = "Containers (default: all running)")
    List<String> containers = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        OutputFormat fmt = OutputFormat.of(format);
        if (interval < 1) {
            throw new io.jpod.engine.EngineException("--interval must be at least 1 second");
        }
        // podman redraws a streaming table in place on a terminal; into a pipe or file each sample is appended
        boolean redraw = !noStream && fmt.isDefault() && stdoutIsTerminal();
        try (Engine engine = jpod.engine()) {
            ContainerStatsStream samples = engine.containers().stats(containers);
            long next = System.nanoTime();
            for (boolean first = true; ; first = false) {
                // after the first sample, named containers that stopped drop out (and the stream ends with the last)
                List<ContainerStatsReport> rows = samples.next();
                if (!first && !containers.isEmpty() && rows.isEmpty()) {
                    return 0;
                }
                if (fmt.isJson()) {
                    jpod.out.println(Formats.json(rows));
                } else if (fmt.isTemplate()) {
                    fmt.print(jpod.out, rows.stream().map(StatsCommand::templateRow).toList(), Map.of("CPUPerc", "CPU %",
                            "MemUsage", "MEM USAGE / LIMIT", "MemPerc", "MEM %", "NetIO", "NET IO", "BlockIO", "BLOCK IO"));
                } else {
                    List<String[]> table = new ArrayList<>();
                    table.add(new String[]{"ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET IO", "BLOCK IO", "PIDS"});
                    for (ContainerStatsReport r : rows) {
                        table.add(new String[]{r.id(), r.name(), r.cpuPercent(), r.memUsage(), r.memPercent(), r.netIo(), r.blockIo(), r.pids()});
                    }
                    if (redraw) {
                        jpod.out.print("\033[2J\033[H"); // clear the screen, cursor home
                    }
                    jpod.out.print(Formats.table(table));
                }
                jpod.out.flush();
                if (noStream) {
                    return 0;
                }
                // a fixed schedule: sampling time does not stretch the interval
                next += interval * 1_000_000_000L;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.TimeUnit.NANOSECONDS.sleep(wait);
                } else {
                    next = System.nanoTime();
                }
            }
        }
    }

    /** A sample by the names podman's `stats --format` uses. */
    private static Map<String, Object> templateRow(ContainerStatsReport r) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("ID", r.id());
        m.put("ContainerID", r.id());
        m.put("Name", r.name());
        m.put("CPUPerc", r.cpuPercent());
        m.put("MemUsage", r.memUsage());
        m.put("MemUsageBytes", r.memUsageBytes());
        m.put("MemLimit", r.memLimitBytes());
        m.put("MemPerc", r.memPercent());
        m.put("NetIO", r.netIo());
        m.put("BlockIO", r.blockIo());
        m.put("PIDs", r.pids());
        m.put("PIDS", r.pids());
        return m;
    }

    /** Whether fd 1 is a terminal. */
    static boolean stdoutIsTerminal() {
        try {
            String target = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/1")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }
}
