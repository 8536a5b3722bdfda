package io.jpod.engine.image;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One stored image, as `images` and the API's image list show it.
 *
 * @param id             "sha256:HEX"
 * @param names          its names (repository:tag), the first the primary
 * @param manifestDigest the digest of the manifest it was pulled or pushed by, or null
 * @param digests        its REPOSITORY@DIGEST references
 * @param namesHistory   every name it has had, newest first (podman's History)
 * @param size           bytes of its layers
 * @param stored         when it came into this store
 * @param created        when it was made (its config's created; else when it was stored)
 * @param labels         its config's labels, sorted
 */
public record ImageSummaryReport(String id, List<String> names, String manifestDigest, List<String> digests,
                                 List<String> namesHistory, long size, Instant stored, Instant created,
                                 Map<String, String> labels) {
    /** The id without its "sha256:". */
    public String hex() {
        return id.startsWith("sha256:") ? id.substring(7) : id;
    }
}
