package io.jpod.engine.image;

import java.util.List;

/**
 * What a pull stored.
 *
 * @param id             the image id ("sha256:…")
 * @param names          the image's names after the pull
 * @param manifestDigest the digest of the manifest it was pulled by (the platform's, from an index)
 */
public record ImagePullReport(String id, List<String> names, String manifestDigest) {
}
