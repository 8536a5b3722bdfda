package io.jpod.engine.image;

import java.util.List;

/** The images a load stored, in the archive's order. */
public record ImageLoadReport(List<Loaded> images) {
    /** @param id "sha256:…"; @param names its names (empty: loaded without one) */
    public record Loaded(String id, List<String> names) {
    }
}
