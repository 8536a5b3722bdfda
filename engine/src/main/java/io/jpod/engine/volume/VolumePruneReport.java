package io.jpod.engine.volume;

import java.util.List;

/** What `volume prune` removed: the volumes' names, in the store's order. */
public record VolumePruneReport(List<String> removed) {
}
