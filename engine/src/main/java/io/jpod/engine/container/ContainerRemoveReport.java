package io.jpod.engine.container;

/** A removed container's full id. */
public record ContainerRemoveReport(String id) {
}
