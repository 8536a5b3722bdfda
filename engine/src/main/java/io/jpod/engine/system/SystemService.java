package io.jpod.engine.system;

import java.util.List;

/**
 * The engine's front door for the store as a whole (`system df/prune/reset/check`, `info`, `events`): reports out
 * ({@code System…Report}, {@link SystemInfoReport}, {@link Event}s), rendered by the CLI as text, templates or JSON.
 */
public interface SystemService {
    /** `system df`: one row per kind (images, containers, local volumes). */
    List<SystemDfReport> df();

    /** `system df -v`: per image, container and volume. */
    SystemDfVerboseReport dfVerbose();

    /** `system prune`: containers not running, then images no container uses (untagged only unless all), then unneeded layers. */
    SystemPruneReport prune(boolean all);

    /** `system reset`: all storage and run-time state go and the pause process stops; the caller has confirmed. */
    void reset();

    /** `info`: see {@link SystemInfoReport}. */
    SystemInfoReport info();

    /** `events` and the API's /events: a subscription to the event log (see {@link EventStream}); close it to stop. */
    EventStream events(EventOptions options);

    /** `system check`: the store's consistency; with repair, what can be fixed is fixed. */
    SystemCheckReport check(boolean repair);
}
