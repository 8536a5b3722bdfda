package io.jpod.engine.container;

import io.jpod.engine.EngineException;
import io.jpod.storage.ContainerState;
import io.jpod.storage.ContainerRecord;

import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Reads a container's k8s-file log ({@code <time> <stream> <F|P> <text>}; P records continue on the next one),
 * the rotated {@code ctr.log.1} first. With follow, polls for new records until the container has ended.
 */
public final class LogReader {
    /** One log line, partial records joined. */
    record Line(Instant time, String rawTime, boolean stderr, String text) {
    }

    private final Lifecycle lifecycle;
    private final LogOptions options;
    /** Before each line: the container's short id and a space when several containers' logs are shown, else "". */
    private final String prefix;

    public LogReader(Lifecycle lifecycle, LogOptions options) {
        this(lifecycle, options, "");
    }

    public LogReader(Lifecycle lifecycle, LogOptions options, String prefix) {
        this.lifecycle = lifecycle;
        this.options = options;
        this.prefix = prefix;
    }

    public void print(String id, PrintStream out, PrintStream err) {
        Path log = lifecycle.logFile(id);
        Path rotated = log.resolveSibling(log.getFileName() + ".1");
        Parser parser = new Parser();
        List<Line> lines = new ArrayList<>();
        long offset;
        try {
            if (Files.exists(rotated)) {
                parser.feed(Files.readAllBytes(rotated), lines);
            }
            offset = readFrom(log, 0, parser, lines);
        } catch (IOException e) {
            throw new EngineException("cannot read the log of container " + id.substring(0, 12) + ": " + e.getMessage(), e);
        }
        List<Line> shown = select(lines);
        shown.forEach(l -> emit(l, out, err));
        if (!options.follow()) {
            parser.flush(out);
            return;
        }
        while (true) {
            ContainerRecord r = lifecycle.store().containers().get(id).orElse(null);
            boolean ended = r == null || lifecycle.reconcile(r).state() != ContainerState.RUNNING
                    || options.until() != null && java.time.Instant.now().isAfter(options.until());
            List<Line> more = new ArrayList<>();
            try {
                long size = Files.exists(log) ? Files.size(log) : 0;
                if (size < offset) { // rotated: the rest of the old file is lost to us, start the new one
                    offset = 0;
                }
                offset = readFrom(log, offset, parser, more);
            } catch (IOException e) {
                return;
            }
            for (Line l : more) {
                if (options.within(l.time())) {
                    emit(l, out, err);
                }
            }
            if (ended) {
                parser.flush(out);
                return;
            }
            Lifecycle.pause();
        }
    }

    private List<Line> select(List<Line> lines) {
        Deque<Line> out = new ArrayDeque<>();
        for (Line l : lines) {
            if (!options.within(l.time())) {
                continue;
            }
            out.add(l);
            if (options.tail() >= 0 && out.size() > options.tail()) {
                out.removeFirst();
            }
        }
        return new ArrayList<>(out);
    }

    private void emit(Line l, PrintStream out, PrintStream err) {
        PrintStream s = l.stderr() ? err : out;
        synchronized (s) { // one line at a time when several containers' readers share the stream
            s.print(prefix + (options.timestamps() ? l.rawTime() + " " : "") + l.text() + "\n");
            s.flush();
        }
    }

    private static long readFrom(Path log, long offset, Parser parser, List<Line> lines) throws IOException {
        if (!Files.exists(log)) {
            return offset;
        }
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long size = f.length();
            if (size <= offset) {
                return offset;
            }
            byte[] data = new byte[(int) Math.min(size - offset, 64L * 1024 * 1024)];
            f.seek(offset);
            f.readFully(data);
            int complete = data.length;
            while (complete > 0 && data[complete - 1] != '\n') {
                complete--; // a record being written: next round
            }
            byte[] whole = java.util.Arrays.copyOf(data, complete);
            parser.feed(whole, lines);
            return offset + complete;
        }
    }

    /** Joins P records; keeps the pending partial text between feeds. */
    static final class Parser {
        private final StringBuilder pending = new StringBuilder();

        /** A last partial line (the container's output did not end in a newline), as it was. */
        void flush(PrintStream out) {
            if (pending.length() > 0) {
                out.print(pending);
                out.flush();
                pending.setLength(0);
            }
        }

        void feed(byte[] data, List<Line> out) {
            for (String rec : new String(data, StandardCharsets.UTF_8).split("\n")) {
                if (rec.isEmpty()) {
                    continue;
                }
                String[] f = rec.split(" ", 4);
                if (f.length < 3) {
                    continue;
                }
                String text = f.length == 4 ? f[3] : "";
                pending.append(text);
                if (f[2].equals("P")) {
                    continue;
                }
                Instant t;
                try {
                    t = OffsetDateTime.parse(f[0]).toInstant();
                } catch (DateTimeParseException e) {
                    t = Instant.EPOCH;
                }
                out.add(new Line(t, f[0], f[1].equals("stderr"), pending.toString()));
                pending.setLength(0);
            }
        }
    }
}
