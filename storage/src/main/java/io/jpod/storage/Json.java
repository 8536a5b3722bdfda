package io.jpod.storage;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** The store's JSON: Jackson with ISO-8601 instants, unknown properties ignored (newer jpod versions may add some). */
final class Json {
    private static volatile ObjectMapper mapper;

    private Json() {
    }

    static ObjectMapper mapper() {
        ObjectMapper m = mapper;
        if (m == null) {
            synchronized (Json.class) {
                if (mapper == null) {
                    mapper = new ObjectMapper()
                            .registerModule(new JavaTimeModule())
                            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE);
                }
                m = mapper;
            }
        }
        return m;
    }

    static byte[] bytes(Object value) {
        try {
            return mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /** Reads a record; null when the file does not exist; StorageException naming the file when it is unreadable. */
    static <T> T read(Path file, Class<T> type) {
        byte[] data = readBytes(file);
        return data == null ? null : parse(file, data, type);
    }

    /** The records the store reads most (containers', images'), parsed once per distinct content: see ContentCache. */
    private static final ContentCache<Object> RECORDS = new ContentCache<>(4 << 20);

    private record Key(Path file, Class<?> type) {
    }

    /**
     * As {@link #read}, then {@code finish} (which checks the record and makes it immutable, or gives null: not a
     * record); both run only when the file's bytes differ from those of the last call for the file, else the value
     * made then is returned (the same object: it is shared, hence immutable). One {@code finish} per file and type.
     */
    static <T> T readCached(Path file, Class<T> type, java.util.function.UnaryOperator<T> finish) {
        byte[] data = readBytes(file);
        Key key = new Key(file, type);
        if (data == null) {
            RECORDS.forget(key);
            return null;
        }
        return type.cast(RECORDS.get(key, data, d -> finish.apply(parse(file, d, type))));
    }

    private static byte[] readBytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new StorageException("cannot read " + file + ": " + Fs.describe(e) + "; check its permissions");
        }
    }

    private static <T> T parse(Path file, byte[] data, Class<T> type) {
        try {
            return mapper().readValue(data, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new StorageException(file + " is corrupt (" + Fs.oneLine(String.valueOf(e.getOriginalMessage()))
                    + "); remove it or its directory", e);
        } catch (IOException e) {
            throw new StorageException(file + " is corrupt (" + Fs.describe(e) + "); remove it or its directory", e);
        }
    }

    /** Reads a generic value (a list of records); null when the file does not exist. */
    static <T> T read(Path file, com.fasterxml.jackson.core.type.TypeReference<T> type) {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new StorageException("cannot read " + file + ": " + Fs.describe(e) + "; check its permissions");
        }
        try {
            return mapper().readValue(data, type);
        } catch (IOException e) {
            throw new StorageException(file + " is corrupt (" + Fs.describe(e) + "); remove it or its directory", e);
        }
    }
}
