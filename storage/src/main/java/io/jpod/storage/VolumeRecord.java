package io.jpod.storage;

import java.time.Instant;
import java.util.Map;

/** A named volume: its data lives in {@code <root>/volumes/<name>/_data}. */
public record VolumeRecord(String name, String driver, Instant created, Map<String, String> labels, Map<String, String> options) {
    public VolumeRecord {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        options = options == null ? Map.of() : Map.copyOf(options); // volume.json of older jpods has none
    }

    public VolumeRecord(String name, String driver, Instant created, Map<String, String> labels) {
        this(name, driver, created, labels, Map.of());
    }
}
