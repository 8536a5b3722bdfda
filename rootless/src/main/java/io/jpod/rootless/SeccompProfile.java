package io.jpod.rootless;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the common subset of a podman/docker seccomp JSON profile into a {@link SeccompFilter}: defaultAction
 * (and defaultErrnoRet), syscalls[] with names (or name), action, errnoRet, args[{index, value, valueTwo, op}],
 * includes/excludes of caps and arches, minKernel. Syscall names this architecture does not have are skipped (profiles
 * list several architectures' names), as libseccomp does. What the helper cannot enforce (notify, trace) is
 * refused with a clear error instead of being silently weakened.
 */
public final class SeccompProfile {
    private SeccompProfile() {
    }

    public static SeccompFilter read(Path file, Capabilities caps) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new RootlessException("cannot read seccomp profile " + file + ": " + e.getMessage());
        }
        return parse(root, caps, file.toString());
    }

    static SeccompFilter parse(JsonNode root, Capabilities caps, String where) {
        if (root == null || !root.isObject()) {
            throw new RootlessException("seccomp profile " + where + " is not a JSON object");
        }
        int defaultErrno = root.path("defaultErrnoRet").asInt(SeccompFilter.EPERM);
        int defaultAction = action(root.path("defaultAction").asText(""), defaultErrno, where);
        boolean i386 = false;
        if (root.has("architectures") && root.get("architectures").isArray() && root.get("architectures").size() > 0) {
            boolean ours = false;
            for (JsonNode a : root.get("architectures")) {
                ours |= a.asText().equals("SCMP_ARCH_X86_64");
                i386 |= a.asText().equals("SCMP_ARCH_X86");
            }
            if (!ours) {
                throw new RootlessException("seccomp profile " + where + " does not list SCMP_ARCH_X86_64 in architectures");
            }
        }
        for (JsonNode m : root.path("archMap")) {
            if (m.path("architecture").asText().equals("SCMP_ARCH_X86_64")) {
                for (JsonNode sub : m.path("subArchitectures")) {
                    i386 |= sub.asText().equals("SCMP_ARCH_X86");
                }
            }
        }
        List<SeccompFilter.Rule> rules = new ArrayList<>();
        for (JsonNode sc : root.path("syscalls")) {
            if (!applies(sc, caps)) {
                continue;
            }
            int action = action(sc.path("action").asText(""), sc.path("errnoRet").asInt(SeccompFilter.EPERM), where);
            List<SeccompFilter.Condition> conds = new ArrayList<>();
            for (JsonNode a : sc.path("args")) {
                conds.add(new SeccompFilter.Condition(a.path("index").asInt(), op(a.path("op").asText(""), where),
                        a.path("value").asLong(), a.path("valueTwo").asLong()));
            }
            List<String> names = new ArrayList<>();
            sc.path("names").forEach(n -> names.add(n.asText()));
            if (sc.hasNonNull("name")) {
                names.add(sc.get("name").asText());
            }
            for (String n : names) {
                rules.add(new SeccompFilter.Rule(n, action, conds));
            }
        }
        return new SeccompFilter(defaultAction, SeccompFilter.RET_KILL_PROCESS, rules, i386);
    }

    private static boolean applies(JsonNode sc, Capabilities caps) {
        JsonNode inc = sc.path("includes"), exc = sc.path("excludes");
        for (JsonNode c : inc.path("caps")) {
            if (!holds(caps, c.asText())) {
                return false;
            }
        }
        for (JsonNode c : exc.path("caps")) {
            if (holds(caps, c.asText())) {
                return false;
            }
        }
        if (inc.path("arches").size() > 0 && !listsOurArch(inc.path("arches"))) {
            return false;
        }
        if (listsOurArch(exc.path("arches"))) {
            return false;
        }
        return !inc.hasNonNull("minKernel") || kernelAtLeast(inc.get("minKernel").asText());
    }

    /** A capability newer than jpod's table is one the container cannot hold. */
    private static boolean holds(Capabilities caps, String name) {
        try {
            return caps.has(name);
        } catch (RootlessException e) {
            return false;
        }
    }

    private static boolean listsOurArch(JsonNode arches) {
        for (JsonNode a : arches) {
            String s = a.asText();
            if (s.equals("amd64") || s.equals("x86_64") || s.equals("SCMP_ARCH_X86_64")) {
                return true;
            }
        }
        return false;
    }

    static boolean kernelAtLeast(String min) {
        String[] want = min.split("\\.");
        String[] have = System.getProperty("os.version", "0").split("[.-]");
        for (int i = 0; i < want.length; i++) {
            int w = parseInt(want[i]), h = i < have.length ? parseInt(have[i]) : 0;
            if (h != w) {
                return h > w;
            }
        }
        return true;
    }

    private static int parseInt(String s) {
        try {
            return Integer.parseInt(s.replaceAll("[^0-9].*", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static int action(String name, int errno, String where) {
        return switch (name.toUpperCase(Locale.ROOT)) {
            case "SCMP_ACT_ALLOW" -> SeccompFilter.RET_ALLOW;
            case "SCMP_ACT_ERRNO" -> SeccompFilter.errno(errno);
            case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD" -> SeccompFilter.RET_KILL_THREAD;
            case "SCMP_ACT_KILL_PROCESS" -> SeccompFilter.RET_KILL_PROCESS;
            case "SCMP_ACT_TRAP" -> SeccompFilter.RET_TRAP;
            case "SCMP_ACT_LOG" -> SeccompFilter.RET_LOG;
            default -> throw new RootlessException("seccomp profile " + where + ": action \"" + name
                    + "\" is not supported by jpod (use SCMP_ACT_ALLOW, ERRNO, KILL, KILL_PROCESS, TRAP or LOG)");
        };
    }

    private static SeccompFilter.Op op(String name, String where) {
        return switch (name) {
            case "SCMP_CMP_EQ" -> SeccompFilter.Op.EQ;
            case "SCMP_CMP_NE" -> SeccompFilter.Op.NE;
            case "SCMP_CMP_LT" -> SeccompFilter.Op.LT;
            case "SCMP_CMP_LE" -> SeccompFilter.Op.LE;
            case "SCMP_CMP_GT" -> SeccompFilter.Op.GT;
            case "SCMP_CMP_GE" -> SeccompFilter.Op.GE;
            case "SCMP_CMP_MASKED_EQ" -> SeccompFilter.Op.MASKED_EQ;
            default -> throw new RootlessException("seccomp profile " + where + ": argument comparison \"" + name + "\" is not supported");
        };
    }
}
