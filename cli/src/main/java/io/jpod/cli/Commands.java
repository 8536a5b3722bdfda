package io.jpod.cli;

import picocli.CommandLine;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The top-level commands. Building picocli's model of a command costs reflection over all its options, and
 * doing that for every command on every start was most of jpod's start-up; so only the command being run is
 * registered, and all of them only when help or completion needs the whole tree.
 */
final class Commands {
    /** Global options that take a value, so the command name can be found after them. */
    private static final Set<String> GLOBAL_OPTIONS_WITH_VALUE = Set.of("--root", "--runroot", "--storage-driver",
            "--log-level", "--events-backend", "--cgroup-manager", "--runtime-flag", "--storage-opt", "--volumepath", "--url", "--connection", "-c",
            "--identity");

    private Commands() {
    }

    /** Name and aliases → command class, in the order `jpod --help` lists them. */
    static Map<String, Class<?>> all() {
        Map<String, Class<?>> m = new LinkedHashMap<>();
        m.put("run", RunCommand.class);
        m.put("create", CreateCommand.class);
        m.put("pull", PullCommand.class);
        m.put("images", ImagesCommand.class);
        m.put("image-ls", ImagesCommand.class);
        m.put("ps", PsCommand.class);
        m.put("container-ls", PsCommand.class);
        m.put("rm", RmCommand.class);
        m.put("login", LoginCommand.class);
        m.put("logout", LogoutCommand.class);
        m.put("image", ImageCommand.class);
        m.put("rmi", RmiCommand.class);
        m.put("tag", TagCommand.class);
        m.put("untag", UntagCommand.class);
        m.put("history", HistoryCommand.class);
        m.put("search", SearchCommand.class);
        m.put("push", PushCommand.class);
        m.put("save", SaveLoadCommands.Save.class);
        m.put("load", SaveLoadCommands.Load.class);
        m.put("import", ImportCommand.class);
        m.put("unshare", UnshareCommand.class);
        m.put("port", PortCommand.class);
        m.put("volume", VolumeCommand.class);
        m.put("manifest", ManifestCommand.class);
        m.put("secret", SecretCommand.class);
        m.put("pod", PodCommand.class);
        m.put("kube", KubeCommand.class);
        m.put("network", NetworkCommand.class);
        m.put("logs", LogsCommand.class);
        m.put("stop", StopCommand.class);
        m.put("kill", KillCommand.class);
        m.put("wait", WaitCommand.class);
        m.put("inspect", InspectCommand.class);
        m.put("start", StartCommand.class);
        m.put("restart", RestartCommand.class);
        m.put("top", TopCommand.class);
        m.put("exec", ExecCommand.class);
        m.put("rename", RenameCommand.class);
        m.put("cp", CpCommand.class);
        m.put("attach", AttachCommand.class);
        m.put("system", SystemCommand.class);
        m.put("mount", MountCommand.class);
        m.put("umount", UmountCommand.class);
        m.put("unmount", UmountCommand.class);
        m.put("diff", DiffCommand.class);
        m.put("export", ExportCommand.class);
        m.put("commit", CommitCommand.class);
        m.put("build", BuildCommand.class);
        m.put("stats", StatsCommand.class);
        m.put("update", UpdateCommand.class);
        m.put("container", ContainerCommand.class);
        m.put("healthcheck", HealthcheckCommand.class);
        m.put("events", EventsCommand.class);
        m.put("info", InfoCommand.class);
        m.put("version", VersionCommand.class);
        m.put("completion", CompletionCommand.class);
        return m;
    }

    /** `jpod container NAME …` runs the top-level command NAME (podman's container group): these, by their names. */
    static final Map<String, String> CONTAINER_GROUP = containerGroup();

    private static Map<String, String> containerGroup() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String name : new String[]{"attach", "commit", "cp", "create", "diff", "exec", "export", "inspect", "kill", "logs",
                "mount", "port", "ps", "rename", "restart", "rm", "run", "start", "stats", "stop", "top", "umount", "unmount",
                "update", "wait"}) {
            m.put(name, name);
        }
        m.put("ls", "ps");
        m.put("list", "ps");
        return m;
    }

    /**
     * {@code jpod [global options] container NAME ARGS} → {@code jpod [global options] NAME ARGS} for the names of
     * {@link #CONTAINER_GROUP} ({@code container inspect} looks at containers only, as podman's does); other
     * arguments are returned as they are.
     */
    static String[] containerGroupAlias(String[] args) {
        int i = commandIndex(args);
        // podman's older spellings `generate kube` and `play kube` are `kube generate` and `kube play`
        if (i >= 0 && i + 1 < args.length && args[i + 1].equals("kube") && (args[i].equals("generate") || args[i].equals("play"))) {
            String[] out = args.clone();
            out[i] = "kube";
            out[i + 1] = args[i];
            return out;
        }
        if (i < 0 || i + 1 >= args.length || !args[i].equals("container") || !CONTAINER_GROUP.containsKey(args[i + 1])) {
            return args;
        }
        String target = CONTAINER_GROUP.get(args[i + 1]);
        java.util.List<String> out = new java.util.ArrayList<>(java.util.Arrays.asList(args).subList(0, i));
        out.add(target);
        if (target.equals("inspect")) {
            out.addAll(java.util.List.of("--type", "container"));
        }
        out.addAll(java.util.Arrays.asList(args).subList(i + 2, args.length));
        return out.toArray(String[]::new);
    }

    /** NAME when args are `[global options] container NAME …` for a name of {@link #CONTAINER_GROUP}, else null. */
    static String kubeSpelling(String[] args) {
        int i = commandIndex(args);
        return i >= 0 && i + 1 < args.length && args[i + 1].equals("kube") && (args[i].equals("generate") || args[i].equals("play")) ? args[i] : null;
    }

    static String containerGroupName(String[] args) {
        int i = commandIndex(args);
        return i >= 0 && i + 1 < args.length && args[i].equals("container") && CONTAINER_GROUP.containsKey(args[i + 1]) ? args[i + 1] : null;
    }

    /** Registers the command named in args, or every command when none is (help, errors, completion). */
    static void register(CommandLine cl, String[] args) {
        String key = modelKey(args);
        if (key.equals(VERSION_ONLY)) {
            return; // `jpod --version` needs no command's model
        }
        Map<String, Class<?>> all = all();
        if (!key.equals(EVERY)) {
            cl.addSubcommand(all.get(commandName(args)));
            return;
        }
        all.values().stream().distinct().forEach(cl::addSubcommand);
        cl.addSubcommand("help", new CommandLine.HelpCommand()); // cobra's `help [command]`
    }

    /** {@link #modelKey} of a command line that needs every command's model (help, completion, an unknown name) */
    static final String EVERY = "*";
    static final String VERSION_ONLY = "--version";

    /**
     * What {@link #register} registers for {@code args}, as a name: the command's class name, {@link #EVERY} or
     * {@link #VERSION_ONLY}. Two command lines with the same key get the same model.
     */
    static String modelKey(String[] args) {
        String name = commandName(args);
        Class<?> only = name == null || name.equals("completion") ? null : all().get(name);
        if (only != null) {
            return only.getName();
        }
        java.util.List<String> given = java.util.Arrays.asList(args);
        if (name == null && (given.contains("--version") || given.contains("-V")) && !given.contains("--help") && !given.contains("-h")) {
            return VERSION_ONLY;
        }
        return EVERY;
    }

    /** The first argument that is not a global option or its value. */
    static String commandName(String[] args) {
        int i = commandIndex(args);
        return i < 0 ? null : args[i];
    }

    private static int commandIndex(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (GLOBAL_OPTIONS_WITH_VALUE.contains(a)) {
                i++;
            } else if (!a.startsWith("-")) {
                return i;
            }
        }
        return -1;
    }
}
