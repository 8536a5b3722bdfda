package io.jpod.engine.system;

import io.jpod.engine.EngineException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * podman's events, file backend: one JSON line per event appended to {@code <runroot>/events/events.log} by
 * whichever jpod process did the thing (a line under 4 KiB is one atomic append, so concurrent writers do not
 * interleave); past 1 MiB the file moves to events.log.1 (the one before is dropped). Recording is best
 * effort: an event that cannot be written never fails the command.
 */
public final class EventLog {
    private static final long ROTATE_AT = 1024 * 1024;
    private static final int MAX_LINE = 4000;
    /** Built on first use (not at class load): only `jpod events` reads, and data binding is slow to set up. */
    private static final class Reader {
        static final ObjectMapper JSON = new ObjectMapper();
    }

    /** Writing needs only the streaming generator, cheap to set up on every `run`. */
    private static final class Writer {
        static final com.fasterxml.jackson.core.JsonFactory FACTORY = new com.fasterxml.jackson.core.JsonFactory();
    }

    private EventLog() {
    }

    static Path file(Path runRoot) {
        return directory(runRoot).resolve("events.log");
    }

    /** The directory of the log and its rotated predecessor: watch it to learn of new events without polling. */
    public static Path directory(Path runRoot) {
        return runRoot.resolve("events");
    }

    /** Records a container event. */
    public static void container(Path runRoot, String status, String id, String name, String image, Map<String, String> attributes) {
        append(runRoot, new Event(id, image, name, status, Instant.now().toString(), "container", attributes));
    }

    /** Records an image or volume event. */
    public static void of(Path runRoot, String type, String status, String idOrName, String name) {
        append(runRoot, new Event(type.equals("volume") ? null : idOrName, null, name, status, Instant.now().toString(), type, Map.of()));
    }

    private static void append(Path runRoot, Event e) {
        if (runRoot == null) {
            return;
        }
        try {
            byte[] line = encode(e);
            if (line.length > MAX_LINE) {
                return;
            }
            Path f = file(runRoot);
            Files.createDirectories(f.getParent());
            if (Files.exists(f) && Files.size(f) > ROTATE_AT) {
                Files.move(f, f.resolveSibling("events.log.1"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                ch.write(ByteBuffer.wrap(line));
            }
        } catch (IOException | RuntimeException ignored) {
            // an event that cannot be recorded is lost; the command itself went through
        }
    }

    /**
     * One line, through Jackson's streaming generator: data binding would build a serializer for the record on
     * first use, tens of milliseconds on the start-up of every `jpod run`.
     */
    private static byte[] encode(Event e) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(256);
        try (com.fasterxml.jackson.core.JsonGenerator g = Writer.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            field(g, "ID", e.id());
            field(g, "Image", e.image());
            field(g, "Name", e.name());
            field(g, "Status", e.status());
            field(g, "Time", e.time());
            field(g, "Type", e.type());
            if (e.attributes() != null && !e.attributes().isEmpty()) {
                g.writeObjectFieldStart("Attributes");
                for (Map.Entry<String, String> a : e.attributes().entrySet()) {
                    g.writeStringField(a.getKey(), a.getValue());
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        out.write('\n');
        return out.toByteArray();
    }

    private static void field(com.fasterxml.jackson.core.JsonGenerator g, String name, String value) throws IOException {
        if (value != null && !value.isEmpty()) {
            g.writeStringField(name, value);
        }
    }

    /** The events recorded from {@code offset} bytes on in events.log (0: the rotated file first); the new offset. */
    public static long read(Path runRoot, long offset, List<Event> into) {
        Path f = file(runRoot);
        try {
            if (offset == 0) {
                Path old = f.resolveSibling("events.log.1");
                if (Files.exists(old)) {
                    parse(Files.readAllBytes(old), into);
                }
            }
            if (!Files.exists(f)) {
                return offset;
            }
            long size = Files.size(f);
            if (size < offset) {
                offset = 0; // rotated meanwhile
            }
            byte[] data;
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                ByteBuffer b = ByteBuffer.allocate((int) Math.min(size - offset, 64L * 1024 * 1024));
                ch.read(b, offset);
                data = java.util.Arrays.copyOf(b.array(), b.position());
            }
            int complete = data.length;
            while (complete > 0 && data[complete - 1] != '\n') {
                complete--; // a line being written: next time
            }
            parse(java.util.Arrays.copyOf(data, complete), into);
            return offset + complete;
        } catch (IOException e) {
            throw new EngineException("cannot read the event log " + f + ": " + e.getMessage(), e);
        }
    }

    private static void parse(byte[] data, List<Event> into) {
        List<Event> out = new ArrayList<>();
        for (String line : new String(data, StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                out.add(Reader.JSON.readValue(line, Event.class));
            } catch (IOException e) {
                // a torn line (a writer killed mid-write): skipped
            }
        }
        into.addAll(out);
    }
}
