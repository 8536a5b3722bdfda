package io.jpod.storage;

import java.time.Instant;
import java.util.Map;

/** A named volume: its data lives in {@code <root>/volumes/<name>/_data}. */
public record VolumeRecord(String name, String driver, Instant created, Map<String, String> labels) {
    public VolumeRecord {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
