package io.jpod.engine.volume;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * One named volume as `volume ls/inspect` and the API show it.
 *
 * @param mountpoint  the directory that holds its data
 * @param needsCopyUp podman's NeedsCopyUp: no copy-up has filled it yet
 * @param needsChown  podman's NeedsChown: no container has mounted it yet
 */
public record VolumeReport(String name, String driver, Path mountpoint, Instant created, Map<String, String> labels,
                           Map<String, String> options, boolean needsCopyUp, boolean needsChown) {
}
