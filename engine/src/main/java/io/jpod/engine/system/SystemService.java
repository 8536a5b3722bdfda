package io.jpod.engine.system;

import io.jpod.storage.StoreCheck;

import java.util.List;

/**
 * The engine's front door for the store as a whole (`system df/prune/reset/check`): reports out (the records nested
 * in {@link SystemCommands}), rendered by the CLI as text, templates or JSON.
 */
public interface SystemService {
    /** `system df`: one row per kind (images, containers, local volumes). */
    List<SystemCommands.Usage> df();

    /** `system df -v`: per image, container and volume. */
    SystemCommands.Verbose dfVerbose();

    /** `system prune`: containers not running, then images no container uses (untagged only unless all), then unneeded layers. */
    SystemCommands.PruneResult prune(boolean all);

    /** `system reset`: all storage and run-time state go and the pause process stops; the caller has confirmed. */
    void reset();

    /** `info`: see {@link SystemInfoReport}. */
    SystemInfoReport info();

    /** `events` and the API's /events: a subscription to the event log (see {@link EventStream}); close it to stop. */
    EventStream events(EventOptions options);

    /** `system check`: the store's consistency; with repair, what can be fixed is fixed. */
    StoreCheck.Report check(boolean repair);
}
