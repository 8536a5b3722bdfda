package io.jpod.cli;

import java.util.List;
import java.util.Set;

/**
 * Which commands the per-user service runs, and which the native client runs in a JVM of its own (today's
 * in-process path). The service cannot give a command the caller's stdin as data, its working directory for
 * relative paths, or its terminal as this JVM's own; commands that need one of those go in-process for now.
 * The native client keeps the same list of command names ({@code IN_PROCESS} in client.c) so that it need not
 * start a service for them.
 */
final class ServiceRouting {
    /** read stdin as data, write files or archives named relative to the caller, or need the caller's terminal */
    static final Set<String> IN_PROCESS = Set.of("unshare", "cp", "load", "save", "import", "export", "login", "logout",
            "kube", "generate", "play",
            "system", "volume", "network", "stats", "secret", "__train");
    /** options whose value is a path on the caller's side */
    private static final Set<String> PATH_OPTIONS = Set.of("--env-file", "--cidfile", "--label-file", "--authfile",
            "--digestfile", "--device", "--security-opt", "--iidfile", "--logfile", "--cert-dir", "--volumepath");
    private static final Set<String> VOLUME_OPTIONS = Set.of("-v", "--volume", "--mount");
    /** image transports whose reference is a path (io.jpod.image.ImageTransports) */
    private static final List<String> TRANSPORTS = List.of("docker-archive:", "oci-archive:", "oci:", "dir:");
    private static final Set<String> GLOBAL_WITH_VALUE = Set.of("--root", "--runroot", "--storage-driver");

    private ServiceRouting() {
    }

    /** Whether the service may run {@code args} (relative paths would resolve against its directory, not the caller's). */
    static boolean servable(String[] args, String cwd) {
        String command = command(args, 0);
        if (command == null) {
            return true; // help
        }
        if (IN_PROCESS.contains(command)) {
            return onlyHelp(command, args);
        }
        if ((command.equals("container") || command.equals("image")) && IN_PROCESS.contains(String.valueOf(command(args, indexOf(args, command) + 1)))) {
            return onlyHelp(command, args);
        }
        boolean build = command.equals("build") || (command.equals("image") && "build".equals(command(args, indexOf(args, command) + 1)));
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (build && (a.equals("-") || a.endsWith("=-"))) {
                return false; // `build -` or `-f -`: stdin is the context or the Containerfile
            }
            if (relativeTransportPath(a)) {
                return false; // push IMAGE dir:out, run docker-archive:x.tar: a path relative to the caller
            }
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            if (PATH_OPTIONS.contains(name)) {
                return false;
            }
            if (VOLUME_OPTIONS.contains(name)) {
                String value = a.contains("=") ? a.substring(a.indexOf('=') + 1) : i + 1 < args.length ? args[i + 1] : "";
                if (relativeSource(value)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * `load --help` needs neither stdin nor the caller's paths: help is served (a JVM start saved), except for
     * unshare, whose arguments after the command are the command's own.
     */
    private static boolean onlyHelp(String command, String[] args) {
        return !command.equals("unshare") && java.util.Arrays.asList(args).contains("--help");
    }

    /** A bind source that is a path but not absolute ("./dir:/x", "src=dir/x,…"); named volumes have no slash. */
    private static boolean relativeSource(String value) {
        if (value.contains("=")) { // --mount type=bind,src=…,dst=…
            for (String part : value.split(",")) {
                if ((part.startsWith("src=") || part.startsWith("source=")) && relative(part.substring(part.indexOf('=') + 1))) {
                    return true;
                }
            }
            return false;
        }
        return relative(value.split(":", 2)[0]); // -v SRC:DST[:OPTS]
    }

    /** docker-archive:PATH, oci-archive:PATH, oci:PATH or dir:PATH with a PATH not absolute. */
    private static boolean relativeTransportPath(String arg) {
        for (String transport : TRANSPORTS) {
            if (arg.startsWith(transport) && !arg.startsWith("/", transport.length())) {
                return true;
            }
        }
        return false;
    }

    private static boolean relative(String source) {
        return source.startsWith(".") || (!source.startsWith("/") && source.contains("/"));
    }

    private static int indexOf(String[] args, String s) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(s)) {
                return i;
            }
        }
        return args.length;
    }

    /** The first argument from {@code from} that is not a global option or its value. */
    static String command(String[] args, int from) {
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (GLOBAL_WITH_VALUE.contains(a)) {
                i++;
            } else if (!a.startsWith("-")) {
                return a;
            }
        }
        return null;
    }
}
