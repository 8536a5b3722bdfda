package io.jpod.engine.system;

/** jpod's version as `version` reports it; the pod infra's image is tagged with it, as podman tags its pause image. */
public final class JpodVersion {
    public static final String VERSION = "0.1.0";
    /** podman's `{{.Server.Built}}`, the build's unix time; Debian's podman says 0, and so does jpod (reproducible builds). */
    public static final long BUILT = 0L;

    private JpodVersion() {
    }
}
