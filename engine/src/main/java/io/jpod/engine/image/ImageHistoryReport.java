package io.jpod.engine.image;

import java.util.List;

/**
 * `history`: an image's history entries, newest first.
 *
 * @param id    "sha256:HEX" of the image (the newest entry's)
 * @param names the image's names
 */
public record ImageHistoryReport(String id, List<String> names, List<Entry> entries) {
    /**
     * One entry of the image config's history.
     *
     * @param created   as the config has it (RFC 3339), or ""
     * @param createdBy the instruction that made it
     * @param size      bytes of its layer, 0 for an empty layer
     */
    public record Entry(String created, String createdBy, long size, String comment) {
    }
}
