package io.jpod.engine.container;

import io.jpod.engine.EngineException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * `jpod top`: the processes in the container's PID namespace, with their pids as the container sees them, in the
 * columns podman's format descriptors name (user, huser, group, hgroup, pid, hpid, ppid, args, comm, state). Read
 * from /proc on the host side: nothing of the container's (no ps, no nsenter from its image) is run.
 */
public final class Top {
    /** Descriptor → column header, as podman's (psgo's). */
    private static final Map<String, String> HEADERS = new LinkedHashMap<>();

    static {
        HEADERS.put("user", "USER");
        HEADERS.put("huser", "HUSER");
        HEADERS.put("group", "GROUP");
        HEADERS.put("hgroup", "HGROUP");
        HEADERS.put("pid", "PID");
        HEADERS.put("hpid", "HPID");
        HEADERS.put("ppid", "PPID");
        HEADERS.put("args", "COMMAND");
        HEADERS.put("comm", "COMMAND");
        HEADERS.put("state", "STATE");
    }

    static final List<String> DEFAULT = List.of("user", "pid", "ppid", "args");

    /** One process as read from /proc: ids as the reader sees them. */
    private record Proc(long nsPid, long hostPid, long hostPpid, long uid, long gid, String state, String comm, String args) {
    }

    private Top() {
    }

    /** Checks the descriptors before anything is read: podman's error for an unknown one. */
    public static List<String> descriptors(List<String> given) {
        List<String> out = new ArrayList<>();
        for (String arg : given) {
            for (String d : arg.split(",")) {
                if (d.isBlank()) {
                    continue;
                }
                if (!HEADERS.containsKey(d.strip())) {
                    throw new EngineException("unknown descriptor: " + d.strip() + " (use one of " + String.join(", ", HEADERS.keySet()) + ")");
                }
                out.add(d.strip());
            }
        }
        return out.isEmpty() ? DEFAULT : out;
    }

    /** @param rootfs the container's root, for its user and group names */
    public static List<String[]> processes(long initPid, List<String> descriptors, Path rootfs) {
        Path ns;
        try {
            ns = Files.readSymbolicLink(Path.of("/proc", Long.toString(initPid), "ns", "pid"));
        } catch (IOException e) {
            throw new EngineException("the container's process " + initPid + " is gone; is the container running?");
        }
        List<Proc> found = new ArrayList<>();
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
                    found.add(read(p, Long.parseLong(name)));
                } catch (IOException | RuntimeException e) {
                    // gone meanwhile, or not ours to read
                }
            }
        } catch (IOException e) {
            throw new EngineException("cannot read /proc: " + e.getMessage());
        }
        found.sort((a, b) -> Long.compare(a.nsPid(), b.nsPid()));
        // in our own user namespace (no nested one), the ids read are already the container's; the map file would
        // then show our namespace's map to the host, which is no translation for us
        boolean ownUserns = sameUserNamespace(initPid);
        IdMap innerUids = ownUserns ? IdMap.IDENTITY : IdMap.read(Path.of("/proc", Long.toString(initPid), "uid_map"));
        IdMap innerGids = ownUserns ? IdMap.IDENTITY : IdMap.read(Path.of("/proc", Long.toString(initPid), "gid_map"));
        IdMap outerUids = IdMap.read(Path.of("/proc/self/uid_map"));
        IdMap outerGids = IdMap.read(Path.of("/proc/self/gid_map"));
        List<String[]> passwd = ContainerUser.read(rootfs, "/etc/passwd");
        List<String[]> group = ContainerUser.read(rootfs, "/etc/group");
        List<String[]> hostPasswd = ContainerUser.read(Path.of("/"), "/etc/passwd");
        List<String[]> hostGroup = ContainerUser.read(Path.of("/"), "/etc/group");

        List<String[]> rows = new ArrayList<>();
        rows.add(descriptors.stream().map(HEADERS::get).toArray(String[]::new));
        for (Proc p : found) {
            long ppid = 0; // host ppid → container pid (0: its parent is outside the container)
            for (Proc q : found) {
                if (q.hostPid() == p.hostPpid()) {
                    ppid = q.nsPid();
                }
            }
            String[] row = new String[descriptors.size()];
            for (int i = 0; i < row.length; i++) {
                row[i] = switch (descriptors.get(i)) {
                    case "user" -> name(passwd, innerUids.toInside(p.uid()));
                    case "huser" -> name(hostPasswd, outerUids.toOutside(p.uid()));
                    case "group" -> name(group, innerGids.toInside(p.gid()));
                    case "hgroup" -> name(hostGroup, outerGids.toOutside(p.gid()));
                    case "pid" -> Long.toString(p.nsPid());
                    case "hpid" -> Long.toString(p.hostPid());
                    case "ppid" -> Long.toString(ppid);
                    case "comm" -> p.comm();
                    case "state" -> p.state();
                    default -> p.args();
                };
            }
            rows.add(row);
        }
        return rows;
    }

    private static Proc read(Path p, long hostPid) throws IOException {
        long nsPid = -1;
        long ppid = -1;
        long uid = -1;
        long gid = -1;
        String state = "";
        String comm = "";
        for (String line : Files.readAllLines(p.resolve("status"), StandardCharsets.UTF_8)) {
            if (line.startsWith("NSpid:")) {
                String[] f = line.substring(6).strip().split("\\s+");
                nsPid = Long.parseLong(f[f.length - 1]);
            } else if (line.startsWith("PPid:")) {
                ppid = Long.parseLong(line.substring(5).strip());
            } else if (line.startsWith("Uid:")) {
                uid = Long.parseLong(line.substring(4).strip().split("\\s+")[0]);
            } else if (line.startsWith("Gid:")) {
                gid = Long.parseLong(line.substring(4).strip().split("\\s+")[0]);
            } else if (line.startsWith("State:")) {
                state = line.substring(6).strip().split("\\s+")[0];
            } else if (line.startsWith("Name:")) {
                comm = line.substring(5).strip();
            }
        }
        String args = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ').strip();
        return new Proc(nsPid, hostPid, ppid, uid, gid, state, comm, args.isEmpty() ? "[" + comm + "]" : args);
    }

    private static boolean sameUserNamespace(long pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns/user"))
                    .equals(Files.readSymbolicLink(Path.of("/proc/self/ns/user")));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The name of {@code id} in a passwd or group file, else the number. */
    private static String name(List<String[]> rows, long id) {
        for (String[] r : rows) {
            if (r.length > 2 && r[2].equals(Long.toString(id))) {
                return r[0];
            }
        }
        return Long.toString(id);
    }

    /** A /proc uid_map or gid_map: lines of (inside, outside, count), outside as the reader sees it. */
    private record IdMap(List<long[]> ranges) {
        static final IdMap IDENTITY = new IdMap(List.of());

        static IdMap read(Path file) {
            List<long[]> ranges = new ArrayList<>();
            try {
                for (String line : Files.readAllLines(file)) {
                    String[] f = line.strip().split("\\s+");
                    if (f.length == 3) {
                        ranges.add(new long[]{Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])});
                    }
                }
            } catch (IOException | RuntimeException e) {
                // unreadable: ids shown as read
            }
            return new IdMap(ranges);
        }

        long toInside(long outside) {
            for (long[] r : ranges) {
                if (outside >= r[1] && outside < r[1] + r[2]) {
                    return r[0] + outside - r[1];
                }
            }
            return ranges.isEmpty() ? outside : 65534; // unmapped: the kernel's overflow id
        }

        long toOutside(long inside) {
            for (long[] r : ranges) {
                if (inside >= r[0] && inside < r[0] + r[2]) {
                    return r[1] + inside - r[0];
                }
            }
            return inside;
        }
    }
}
