package io.jpod.engine.system;

/**
 * jpod's version as `version` reports it; the pod infra's image is tagged with it, as podman tags its pause image.
 * Generated at build time from the root pom's {@code jpod.version}, which also becomes the native client's
 * JPOD_VERSION (rootless/src/main/c/build.sh): the one place the version is written.
 */
public final class JpodVersion {
    /** Not a constant expression, so a module compiled against it reads it here rather than keeping an old copy. */
    public static final String VERSION = String.valueOf("${jpod.version}");
    /** podman's `{{.Server.Built}}`, the build's unix time; Debian's podman says 0, and so does jpod (reproducible builds). */
    public static final long BUILT = 0L;

    private JpodVersion() {
    }
}
