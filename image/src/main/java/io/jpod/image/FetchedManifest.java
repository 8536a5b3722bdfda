package io.jpod.image;

/**
 * A manifest exactly as the registry sent it.
 *
 * @param content      the raw bytes (what the digest is computed over; store these, never a re-serialisation)
 * @param contentType  the Content-Type header, may be null
 * @param digest       sha256 of {@code content}, computed by us
 * @param headerDigest the Docker-Content-Digest header, may be null
 */
public record FetchedManifest(byte[] content, String contentType, String digest, String headerDigest) {
}
