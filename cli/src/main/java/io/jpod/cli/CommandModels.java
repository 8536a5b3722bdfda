package io.jpod.cli;

import picocli.CommandLine;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

/**
 * The per-user service's command models, built one request ahead. picocli builds a command's model by reflection
 * (about a third of a warm `ps -a`'s time in the service), and nothing in a model depends on the caller
 * ({@link Main#model}), so once a command is answered the service builds the model for the next request of the
 * same command on a thread of its own, off any request's path. A model serves one request only (picocli's
 * models and the command objects hold the parsed values), so no state passes from one request to the next.
 * A JVM of its own never prepares one and builds its model when it needs it.
 */
final class CommandModels {
    /** one spare model per {@link Commands#modelKey} */
    private static final ConcurrentHashMap<String, CommandLine> SPARE = new ConcurrentHashMap<>();
    private static final ExecutorService BUILDER = java.util.concurrent.Executors.newSingleThreadExecutor(task -> {
        Thread t = new Thread(task, "jpod-service-models");
        t.setDaemon(true);
        return t;
    });

    private CommandModels() {
    }

    /** The model for {@code args}: the one built ahead for it, else a new one. */
    static CommandLine take(String[] args) {
        CommandLine spare = SPARE.isEmpty() ? null : SPARE.remove(Commands.modelKey(args));
        return spare != null ? spare : Main.model(args);
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
        BUILDER.execute(() -> {
            try {
                SPARE.computeIfAbsent(key, k -> Main.model(copy));
            } catch (RuntimeException | LinkageError e) {
                // the request that needs it builds its own and reports the failure
            }
        });
    }
}
