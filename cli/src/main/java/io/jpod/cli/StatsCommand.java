package io.jpod.cli;

import io.jpod.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.HashMap;
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

    @Option(names = "--format", paramLabel = "FORMAT", description = "json or table (default)")
    String format;

    @Option(names = {"-i", "--interval"}, paramLabel = "SECONDS", description = "Seconds between samples (default 5)")
    int interval = 5;

    @Parameters(paramLabel = "CONTAINER", arity = "0..*", description = "Containers (default: all running)")
    List<String> containers = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        if (format != null && !format.equals("json") && !format.equals("table")) {
            throw new io.jpod.engine.EngineException("--format " + format + " is not supported: use json or table");
        }
        if (interval < 1) {
            throw new io.jpod.engine.EngineException("--interval must be at least 1 second");
        }
        try (Engine engine = jpod.engine()) {
            Map<String, Object> previous = new HashMap<>();
            while (true) {
                List<Map<String, Object>> rows = engine.stats(containers, previous);
                if ("json".equals(format)) {
                    jpod.out.println(Formats.json(rows));
                } else {
                    List<String[]> table = new ArrayList<>();
                    table.add(new String[]{"ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET IO", "BLOCK IO", "PIDS"});
                    for (Map<String, Object> r : rows) {
                        table.add(new String[]{(String) r.get("id"), (String) r.get("name"), (String) r.get("cpu_percent"),
                                (String) r.get("mem_usage"), (String) r.get("mem_percent"), (String) r.get("net_io"),
                                (String) r.get("block_io"), (String) r.get("pids")});
                    }
                    jpod.out.print(Formats.table(table));
                }
                jpod.out.flush();
                if (noStream) {
                    return 0;
                }
                Thread.sleep(interval * 1000L);
            }
        }
    }
}
