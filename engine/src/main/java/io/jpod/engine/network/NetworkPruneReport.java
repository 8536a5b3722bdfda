package io.jpod.engine.network;

import java.util.List;

/** What `network prune` removed: the networks' names. */
public record NetworkPruneReport(List<String> removed) {
}
