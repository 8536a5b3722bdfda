package io.jpod.engine.image;

/**
 * `push`.
 *
 * @param image       a local image's name or id
 * @param destination registry/repo:tag or a local transport; null: the image's own name
 * @param credentials "USER:PASS", or null to look in the auth files
 * @param authfile    --authfile, or null for podman's default search
 * @param quiet       no progress events
 */
public record ImagePushOptions(String image, String destination, boolean tlsVerify, String credentials, String authfile, boolean quiet) {
}
