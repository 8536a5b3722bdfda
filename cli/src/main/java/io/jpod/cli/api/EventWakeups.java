package io.jpod.cli.api;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;

/**
 * Wakes a follower of the event log when the log changes (inotify through the JDK's WatchService), whoever wrote
 * it: this service, a `jpod` run in-process by the client, or a container's monitor. Registered before the first
 * read, so nothing appended after that read is missed; the wait is still bounded, so a missed wake-up (a watch
 * that could not be set up, a rotation) costs at most {@value #MAX_WAIT_MS} ms.
 */
final class EventWakeups implements AutoCloseable {
    static final long MAX_WAIT_MS = 2000;

    private final WatchService watcher;

    private EventWakeups(WatchService watcher) {
        this.watcher = watcher;
    }

    static EventWakeups watch(Path directory) {
        try {
            Files.createDirectories(directory);
            WatchService w = directory.getFileSystem().newWatchService();
            directory.register(w, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
            return new EventWakeups(w);
        } catch (IOException | UnsupportedOperationException e) {
            return new EventWakeups(null); // no watch: the bounded wait alone
        }
    }

    /** Waits until the log changed or {@code millis} passed; false when interrupted. */
    boolean await(long millis) {
        try {
            if (watcher == null) {
                Thread.sleep(millis);
                return true;
            }
            WatchKey key = watcher.poll(millis, TimeUnit.MILLISECONDS);
            while (key != null) {
                key.pollEvents();
                key.reset();
                key = watcher.poll(); // coalesce what else arrived
            }
            return true;
        } catch (InterruptedException | ClosedWatchServiceException e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException e) {
                // nothing held
            }
        }
    }
}
