package io.jpod.engine.image;

/**
 * `pull` (and the pulls of `build` and the API).
 *
 * @param name        a reference, a short name (registries.conf's search), or a local transport (docker-archive:PATH, …)
 * @param tlsVerify   false allows plain HTTP and unverified certificates
 * @param platform    "os/arch[/variant]"; null: the host's
 * @param credentials "USER:PASS" (--creds), or null to look in the auth files
 * @param authfile    --authfile, or null for podman's default search
 * @param quiet       no progress events
 */
public record ImagePullOptions(String name, boolean tlsVerify, String platform, String credentials, String authfile, boolean quiet) {
    /** A pull without credentials or progress, as `build` pulls its base images. */
    public static ImagePullOptions quiet(String name, String platform) {
        return new ImagePullOptions(name, true, platform, null, null, true);
    }
}
