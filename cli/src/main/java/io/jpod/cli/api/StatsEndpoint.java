package io.jpod.cli.api;

import io.jpod.engine.container.ContainerCounters;

import io.jpod.engine.Engine;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /containers/{id}/stats}: the engine's raw counters in docker's shape, which the client turns into
 * rates itself (CPU % from the container's and the host's CPU time between two readings). {@code stream=true}
 * (the default): a reading at once, then one a second until the container stops or the client goes; {@code
 * stream=false}: one reading whose {@code precpu_stats} is a second older, as docker's; with {@code one-shot=true}
 * at once, without the older reading.
 */
final class StatsEndpoint {
    /** docker's collection interval. */
    private static final long INTERVAL_MS = 1000;
    /** /proc/stat counts in USER_HZ, 100 a second on Linux. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private final DockerApi api;

    StatsEndpoint(DockerApi api) {
        this.api = api;
    }

    void stats(HttpExchange ex, String id) throws IOException {
        String streamParam = ex.request.param("stream");
        boolean stream = streamParam == null || streamParam.isEmpty() || ex.request.flag("stream");
        boolean oneShot = ex.request.flag("one-shot");
        if (oneShot && stream) {
            throw HttpError.badRequest("cannot have stream=true and one-shot=true");
        }
        try (Engine engine = api.engine()) {
            Reading first = read(engine, id); // 404 before the response starts
            if (!stream) {
                Reading now = first;
                Reading before = null;
                if (!oneShot && first.counters.running()) {
                    before = first;
                    pause();
                    now = read(engine, id);
                }
                ex.json(200, render(now, before));
                return;
            }
            OutputStream out = ex.stream(200, "application/json");
            Reading before = null;
            Reading now = first;
            try {
                while (true) {
                    out.write(HttpExchange.JSON.writeValueAsBytes(render(now, before)));
                    out.write('\n');
                    out.flush();
                    if (!now.counters.running()) {
                        break;
                    }
                    pause();
                    before = now;
                    try {
                        now = read(engine, id);
                    } catch (RuntimeException gone) {
                        break; // removed while streaming
                    }
                }
            } catch (IOException clientGone) {
                ex.closeAfter();
                return;
            }
            out.close();
        }
    }

    private static void pause() throws IOException {
        try {
            Thread.sleep(INTERVAL_MS); // the sampling interval, not a wait for anything
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private record Reading(ContainerCounters counters, long systemNanos, int cpus) {
    }

    private static Reading read(Engine engine, String id) {
        long[] sys = hostCpu();
        return new Reading(engine.containers().counters(id), sys[0], (int) sys[1]);
    }

    /** The host's CPU time in ns (all CPUs, idle included) and its number of CPUs, from /proc/stat. */
    static long[] hostCpu() {
        long total = 0;
        int cpus = 0;
        try {
            for (String l : Files.readAllLines(Path.of("/proc/stat"))) {
                if (l.startsWith("cpu ")) {
                    String[] f = l.substring(4).strip().split("\\s+");
                    for (int i = 0; i < Math.min(8, f.length); i++) {
                        total += Long.parseLong(f[i]);
                    }
                } else if (l.startsWith("cpu")) {
                    cpus++;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return new long[]{0, Runtime.getRuntime().availableProcessors()};
        }
        return new long[]{total * NANOS_PER_TICK, Math.max(cpus, 1)};
    }

    static Map<String, Object> render(Reading now, Reading before) {
        ContainerCounters c = now.counters;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "/" + c.name());
        m.put("id", c.id());
        m.put("read", c.running() ? c.at().toString() : Instant.EPOCH.toString());
        m.put("preread", before == null ? Instant.EPOCH.toString() : before.counters.at().toString());
        m.put("pids_stats", c.pids() < 0 ? Map.of() : Map.of("current", c.pids()));
        m.put("blkio_stats", Map.of("io_service_bytes_recursive", c.blockIn() < 0 ? List.of() : List.of(
                blkio("read", c.blockIn()), blkio("write", c.blockOut()))));
        m.put("num_procs", 0);
        m.put("storage_stats", Map.of());
        m.put("cpu_stats", cpu(now));
        m.put("precpu_stats", before == null ? cpu(null) : cpu(before));
        Map<String, Object> mem = new LinkedHashMap<>();
        if (c.running()) {
            mem.put("usage", Math.max(0, c.memUsage()));
            mem.put("stats", Map.of());
            mem.put("limit", Math.max(0, c.memLimit()));
        }
        m.put("memory_stats", mem);
        if (c.netIn() >= 0) {
            Map<String, Object> eth = new LinkedHashMap<>();
            eth.put("rx_bytes", c.netIn());
            eth.put("rx_packets", 0);
            eth.put("rx_errors", 0);
            eth.put("rx_dropped", 0);
            eth.put("tx_bytes", c.netOut());
            eth.put("tx_packets", 0);
            eth.put("tx_errors", 0);
            eth.put("tx_dropped", 0);
            m.put("networks", Map.of("eth0", eth));
        }
        return m;
    }

    private static Map<String, Object> blkio(String op, long value) {
        return Map.of("major", 0, "minor", 0, "op", op, "value", value);
    }

    private static Map<String, Object> cpu(Reading r) {
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("total_usage", r == null ? 0 : Math.max(0, r.counters.cpuNanos()));
        usage.put("usage_in_kernelmode", 0);
        usage.put("usage_in_usermode", 0);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpu_usage", usage);
        if (r != null && r.counters.running()) {
            m.put("system_cpu_usage", r.systemNanos);
            m.put("online_cpus", r.cpus);
        }
        m.put("throttling_data", Map.of("periods", 0, "throttled_periods", 0, "throttled_time", 0));
        return m;
    }
}
