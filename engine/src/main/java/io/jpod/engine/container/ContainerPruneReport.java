package io.jpod.engine.container;

import java.util.List;

/** `container prune`: the ids of the containers removed. */
public record ContainerPruneReport(List<String> removed) {
}
