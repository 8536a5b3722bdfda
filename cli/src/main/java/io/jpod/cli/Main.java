package io.jpod.cli;

import io.jpod.image.ImageException;
import io.jpod.network.NetworkException;
import io.jpod.rootless.RootlessException;
import io.jpod.rootless.UserNamespaceSetup;
import io.jpod.storage.StorageException;
import io.jpod.engine.EngineException;
import io.jpod.engine.container.ProcessHost;
import picocli.CommandLine;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;

/** jpod's entry point: parses argv with picocli, prints a user-facing error once, maps it to exit 125. */
public final class Main {
    /** Engine errors, as podman and docker report them. */
    public static final int EXIT_ENGINE = 125;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        return run(args, env, out, err, ProcessHost.LOCAL);
    }

    /**
     * One command. Everything it depends on is passed in: the caller's environment, its output streams, and
     * where the processes that use its terminal run ({@code host}: this JVM's children, or the native client's
     * when the per-user service runs the command, see {@link Service}).
     */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err, ProcessHost host) {
        if ("1".equals(env.get("JPOD_USERNS_SETUP"))) {
            // Started by `jpod-helper enter` because no pause process could be joined: create it and return.
            try {
                new UserNamespaceSetup(env, err).ensurePauseProcess();
                return 0;
            } catch (RuntimeException e) {
                return report(e, err);
            }
        }
        if (args.length > 0 && args[0].equals("__train")) {
            return Training.run();
        }
        if (CobraCompletion.isRequest(args)) { // cobra's hidden `__complete`, which podman's shell scripts call
            try {
                CommandLine cl = commandLine(env, out, err, args, host);
                try (io.jpod.engine.Engine engine = ((JpodCommand) cl.getCommand()).engine()) {
                    return CobraCompletion.run(cl.getCommandSpec(), args, new CompletionSources(engine), out, err);
                }
            } catch (RuntimeException e) {
                return report(e, err);
            }
        }
        try {
            io.jpod.engine.Trace.mark("main");
            String[] given = Commands.containerGroupAlias(args);
            CommandLine cl = bind(CommandModels.take(given), env, out, err, host);
            String[] argv = PersistentFlags.hoist(cl, given); // global options after the command, as cobra takes them
            ((JpodCommand) cl.getCommand()).containerGroupAs = Commands.containerGroupName(args);
            ((JpodCommand) cl.getCommand()).kubeSpelledAs = Commands.kubeSpelling(args);
            io.jpod.engine.Trace.mark("command model built");
            return cl.execute(argv);
        } catch (RuntimeException | Error e) {
            return report(e, err); // a failure outside picocli's handlers (e.g. building the command model)
        }
    }

    /**
     * Whether {@code args} ask only for help, name a group without its command, or are refused by the parser: then
     * nothing of the caller's (stdin, cwd, terminal) is needed to answer, and the service answers even for a
     * command it would otherwise hand back to a JVM of the caller's.
     */
    static boolean answersWithoutRunning(String[] args, Map<String, String> env) {
        String[] argv = Commands.containerGroupAlias(args);
        PrintStream none = new PrintStream(java.io.OutputStream.nullOutputStream());
        try {
            CommandLine.ParseResult p = commandLine(env, none, none, argv).parseArgs(argv);
            for (; p != null; p = p.subcommand()) {
                if (p.isUsageHelpRequested() || p.isVersionHelpRequested()) {
                    return true;
                }
                if (p.subcommand() == null) {
                    return !p.commandSpec().helpCommand() && !CobraStyle.visibleSubcommands(p.commandSpec()).isEmpty();
                }
            }
            return false;
        } catch (CommandLine.ParameterException e) {
            return true;
        }
    }

    static CommandLine commandLine(Map<String, String> env, PrintStream out, PrintStream err, String[] args) {
        return commandLine(env, out, err, args, ProcessHost.LOCAL);
    }

    static CommandLine commandLine(Map<String, String> env, PrintStream out, PrintStream err, String[] args, ProcessHost host) {
        return bind(model(args), env, out, err, host);
    }

    /**
     * The command model for {@code args} (what {@link Commands#register} registers), not yet bound to a request:
     * nothing in it depends on the caller, so the service may build it ahead ({@link CommandModels}).
     */
    static CommandLine model(String[] args) {
        CommandLine cl = new CommandLine(new JpodCommand(null, null, null, null));
        Commands.register(cl, args);
        cl.setOverwrittenOptionsAllowed(true); // a repeated single-value option takes the last value, as podman's pflag does
        // everything after the image (run, create) or the command (unshare) belongs to the container, flags included
        for (String name : new String[]{"run", "create", "unshare", "exec"}) {
            if (cl.getSubcommands().containsKey(name)) {
                cl.getSubcommands().get(name).setStopAtPositional(true);
            }
        }
        cl.setExecutionStrategy(parsed -> GlobalOptions.execute(parsed, cl.getCommand()));
        cl.setAllowSubcommandsAsOptionParameters(true); // `--log-level info info`, `--name run`: a value, as pflag reads it
        CobraStyle.install(cl);
        return cl;
    }

    /** Binds a model to one request: its environment, streams and process host. */
    static CommandLine bind(CommandLine cl, Map<String, String> env, PrintStream out, PrintStream err, ProcessHost host) {
        ((JpodCommand) cl.getCommand()).bind(env, out, err, host);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setExecutionExceptionHandler((ex, line, parsed) -> report(ex, err));
        cl.setParameterExceptionHandler((ex, badArgs) -> {
            String cobra = CobraStyle.message(ex, badArgs);
            err.println("Error: " + (cobra != null ? cobra : ex.getMessage()));
            err.println("See '" + CobraStyle.commandPath(ex.getCommandLine().getCommandSpec()) + " --help'");
            return EXIT_ENGINE;
        });
        cl.getCommandSpec().name(CobraStyle.programName(env)); // cobra's name: the one it was invoked by
        return cl;
    }

    /** Prints the one line a user sees for a failure and returns 125. Unexpected failures keep their type name. */
    static int report(Throwable e, PrintStream err) {
        Throwable fs = e instanceof java.io.UncheckedIOException && e.getCause() != null ? e.getCause() : e;
        if (e instanceof EngineException || e instanceof ImageException || e instanceof StorageException
                || e instanceof RootlessException || e instanceof NetworkException) {
            err.println("Error: " + e.getMessage());
        } else if (fs instanceof java.nio.file.FileSystemException fse) {
            // a path the user named (save -o, cp, --env-file…) that cannot be used: say which and why, not a stack
            err.println("Error: " + fileProblem(fse) + "; check the path and its permissions");
        } else {
            err.println("Error: internal error: " + e);
            if (System.getenv("JPOD_DEBUG") != null) {
                e.printStackTrace(err);
            }
        }
        return EXIT_ENGINE;
    }

    /** "PATH: reason" of a file-system failure. */
    static String fileProblem(java.nio.file.FileSystemException e) {
        return (e.getFile() != null ? e.getFile() + ": " : "") + reason(e);
    }

    /** Why a file-system operation failed, in words where the JDK gives none. */
    static String reason(java.nio.file.FileSystemException e) {
        String reason = e.getReason();
        if (reason == null) {
            reason = e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e instanceof java.nio.file.NoSuchFileException ? "no such file or directory"
                    : e instanceof java.nio.file.FileAlreadyExistsException ? "file exists"
                    : e instanceof java.nio.file.NotDirectoryException ? "not a directory"
                    : e instanceof java.nio.file.DirectoryNotEmptyException ? "directory not empty"
                    : e.getClass().getSimpleName();
        }
        return reason.toLowerCase(java.util.Locale.ROOT);
    }
}
