package io.jpod.storage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the store knows of one image; {@code id} is the sha256 of its config. {@code namesHistory} is podman's: every
 * name the image has had, the most recently (re)assigned first (`images --format {{.History}}`).
 */
public record ImageRecord(String id, List<String> names, List<String> digests, String manifestDigest,
                          List<String> layers, long size, Instant created, List<String> namesHistory) {

    public ImageRecord {
        namesHistory = namesHistory == null ? List.of() : List.copyOf(namesHistory);
    }

    /** Without a names history (records of older jpod versions, tests). */
    public ImageRecord(String id, List<String> names, List<String> digests, String manifestDigest,
                       List<String> layers, long size, Instant created) {
        this(id, names, digests, manifestDigest, layers, size, created, List.of());
    }

    /**
     * This image with new names: each name it now has moves to the front of the history, in order (as containers'
     * storage records it on every change of names, so after an untag the remaining names lead).
     */
    public ImageRecord withNames(List<String> newNames, List<String> newDigests) {
        List<String> history = new ArrayList<>(namesHistory);
        for (String n : newNames) {
            history.remove(n);
            history.add(0, n);
        }
        return new ImageRecord(id, List.copyOf(newNames), List.copyOf(newDigests), manifestDigest, layers, size, created, history);
    }
}
