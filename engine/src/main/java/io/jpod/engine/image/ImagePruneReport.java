package io.jpod.engine.image;

import java.util.List;

/** What `image prune` removed: the images' ids (hex). */
public record ImagePruneReport(List<String> deleted) {
}
