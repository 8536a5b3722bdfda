package io.jpod.storage;

import java.time.Instant;
import java.util.List;

/** What the store knows of one image; {@code id} is the sha256 of its config. */
public record ImageRecord(String id, List<String> names, List<String> digests, String manifestDigest,
                          List<String> layers, long size, Instant created) {
}
