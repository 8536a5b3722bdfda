package io.jpod.cli;

import picocli.CommandLine;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.FutureTask;

/**
 * The per-user service's command models, built one request ahead. picocli builds a command's model by reflection
 * (about a third of a warm `ps -a`'s time in the service), and nothing in a model depends on the caller
 * ({@link Main#model}), so once a command is answered the service builds the model for the next request of the
 * same command on a thread of its own, off any request's path. A model serves one request only (picocli's
 * models and the command objects hold the parsed values), so no state passes from one request to the next.
 * A JVM of its own never prepares one and builds its model when it needs it.
 */
final class CommandModels {
    /**
     * one spare model per {@link Commands#modelKey}, as a task that builds it: queued for the builder thread, under
     * way there, or done. Whoever runs the task first builds the model (a task runs once), so a request that arrives
     * before the builder has got to its model builds it itself, and one that arrives while it is being built waits
     * for the rest of that build rather than starting another (under load the builder was often mid-way, and the
     * request built a second model beside it)
     */
    private static final ConcurrentHashMap<String, FutureTask<CommandLine>> SPARE = new ConcurrentHashMap<>();
    private static final ExecutorService BUILDER = java.util.concurrent.Executors.newSingleThreadExecutor(task -> {
        Thread t = new Thread(task, "jpod-service-models");
        t.setDaemon(true);
        return t;
    });

    private CommandModels() {
    }

    /** The model for {@code args}: the one built ahead for it (finished here if need be), else a new one. */
    static CommandLine take(String[] args) {
        FutureTask<CommandLine> spare = SPARE.isEmpty() ? null : SPARE.remove(Commands.modelKey(args));
        if (spare != null) {
            spare.run(); // builds it now unless the builder has it under way or done
            try {
                return spare.get();
            } catch (ExecutionException e) {
                // built anew below, which reports the failure
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the client went away: the command sees it, as without a spare
            }
        }
        return Main.model(args);
    }

    /**
     * Builds, in the background, the model the next request like {@code args} will take (none for a command line
     * that needs every command's model: help and mistakes are rare, and that model is large).
     */
    static void prepareNext(String[] args) {
        String[] argv = Commands.containerGroupAlias(args); // as Main.run takes it
        String key = Commands.modelKey(argv);
        if (key.equals(Commands.EVERY) || SPARE.containsKey(key)) {
            return;
        }
        String[] copy = argv.clone();
        FutureTask<CommandLine> task = new FutureTask<>(() -> Main.model(copy));
        if (SPARE.putIfAbsent(key, task) == null) {
            BUILDER.execute(task); // a no-op if a request has run it by then
        }
    }
}
