package io.jpod.engine.system;

import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A subscription to the event log (see {@link SystemService#events}): {@link #next()} gives the recorded events of
 * the window first, then each batch of new ones; {@link #close()} stops it. The log is watched (inotify through the
 * JDK's WatchService) whoever writes it — the service, a `jpod` run in-process, a container's monitor — registered
 * before the first read so nothing appended after it is missed; the wait is bounded, so a missed wake-up (a watch
 * that could not be set up, a rotation) costs at most {@value #MAX_WAIT_MS} ms.
 */
public final class EventStream implements AutoCloseable {
    static final long MAX_WAIT_MS = 2000;

    private final Path runRoot;
    private final EventOptions options;
    private final WatchService watcher;
    private long offset;
    private boolean first = true;
    private volatile boolean closed;

    EventStream(Path runRoot, EventOptions options) {
        this.runRoot = runRoot;
        this.options = options;
        this.watcher = options.stream() ? watch(EventLog.directory(runRoot)) : null;
    }

    private static WatchService watch(Path directory) {
        try {
            Files.createDirectories(directory);
            WatchService w = directory.getFileSystem().newWatchService();
            directory.register(w, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
            return w;
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return null; // no watch: the bounded wait alone
        }
    }

    /**
     * The next events in the window (the first call: those recorded; later calls wait for new ones, and may return
     * none when the bounded wait passed); null once the stream has ended (not streaming, {@code until} passed, closed).
     */
    public List<Event> next() {
        if (!first) {
            if (!options.stream() || closed) {
                return null;
            }
            Instant now = Instant.now();
            if (options.until() != null && !now.isBefore(options.until())) {
                return null;
            }
            long waitMs = options.until() == null ? MAX_WAIT_MS
                    : Math.min(MAX_WAIT_MS, Duration.between(now, options.until()).toMillis() + 1);
            if (!await(waitMs)) {
                return null; // interrupted or closed
            }
        }
        first = false;
        List<Event> read = new ArrayList<>();
        offset = EventLog.read(runRoot, offset, read);
        List<Event> out = new ArrayList<>();
        for (Event e : read) {
            Instant t = e.instant();
            if ((options.since() == null || !t.isBefore(options.since())) && (options.until() == null || !t.isAfter(options.until()))) {
                out.add(e);
            }
        }
        return out;
    }

    private boolean await(long millis) {
        try {
            if (watcher == null) {
                Thread.sleep(millis);
                return !closed;
            }
            WatchKey key = watcher.poll(millis, TimeUnit.MILLISECONDS);
            while (key != null) {
                key.pollEvents();
                key.reset();
                key = watcher.poll(); // coalesce what else arrived
            }
            return !closed;
        } catch (InterruptedException | ClosedWatchServiceException e) {
            return false;
        }
    }

    /** Stops the subscription (a waiting {@link #next()} returns null). */
    @Override
    public void close() {
        closed = true;
        if (watcher != null) {
            try {
                watcher.close();
            } catch (java.io.IOException e) {
                // nothing held
            }
        }
    }
}
