package io.jpod.engine.volume;

import java.util.Map;

/**
 * `volume create`'s options.
 *
 * @param name           null: a random name
 * @param labels         --label
 * @param driverOptions  --opt (the local driver's type, device, o)
 * @param ignoreIfExists an existing volume of that name is the answer, not an error (docker's API create)
 */
public record VolumeCreateOptions(String name, Map<String, String> labels, Map<String, String> driverOptions, boolean ignoreIfExists) {
    public VolumeCreateOptions {
        labels = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(labels));
        driverOptions = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(driverOptions));
    }

    public static VolumeCreateOptions named(String name, Map<String, String> labels) {
        return new VolumeCreateOptions(name, labels, Map.of(), false);
    }
}
