package io.jpod.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** `jpod top`: the processes in the container's PID namespace, with their pids as the container sees them. */
final class Top {
    private Top() {
    }

    static List<String[]> processes(long initPid) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"USER", "PID", "PPID", "COMMAND"});
        Path ns;
        try {
            ns = Files.readSymbolicLink(Path.of("/proc", Long.toString(initPid), "ns", "pid"));
        } catch (IOException e) {
            throw new EngineException("the container's process " + initPid + " is gone; is the container running?");
        }
        List<long[]> found = new ArrayList<>();
        List<String> cmds = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    if (!Files.readSymbolicLink(p.resolve("ns/pid")).equals(ns)) {
                        continue;
                    }
                    long nsPid = -1;
                    long nsPpid = -1;
                    long uid = -1;
                    for (String line : Files.readAllLines(p.resolve("status"), StandardCharsets.UTF_8)) {
                        if (line.startsWith("NSpid:")) {
                            String[] f = line.substring(6).strip().split("\\s+");
                            nsPid = Long.parseLong(f[f.length - 1]);
                        } else if (line.startsWith("PPid:")) {
                            nsPpid = Long.parseLong(line.substring(5).strip());
                        } else if (line.startsWith("Uid:")) {
                            uid = Long.parseLong(line.substring(4).strip().split("\\s+")[0]);
                        }
                    }
                    byte[] cmdline = Files.readAllBytes(p.resolve("cmdline"));
                    String cmd = new String(cmdline, StandardCharsets.UTF_8).replace('\0', ' ').strip();
                    found.add(new long[]{nsPid, Long.parseLong(name), nsPpid, uid});
                    cmds.add(cmd);
                } catch (IOException | RuntimeException e) {
                    // gone meanwhile, or not ours to read
                }
            }
        } catch (IOException e) {
            throw new EngineException("cannot read /proc: " + e.getMessage());
        }
        // host ppid → container pid
        for (int i = 0; i < found.size(); i++) {
            long[] f = found.get(i);
            long ppid = 0;
            for (long[] g : found) {
                if (g[1] == f[2]) {
                    ppid = g[0];
                }
            }
            rows.add(new String[]{Long.toString(f[3]), Long.toString(f[0]), Long.toString(ppid), cmds.get(i)});
        }
        rows.subList(1, rows.size()).sort((a, b) -> Long.compare(Long.parseLong(a[1]), Long.parseLong(b[1])));
        return rows;
    }
}
