package io.jpod.engine.pod;

/** One pod found by name or id (full id or a unique prefix): the full id a front end acts on and prints. */
public record PodLookupReport(String id, String name) {
}
