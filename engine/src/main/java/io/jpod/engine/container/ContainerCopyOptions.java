package io.jpod.engine.container;

/**
 * `cp`: {@code source} or {@code destination} (or both) is CONTAINER:PATH; a host side "-" is a tar on the caller's
 * stdin or stdout. {@code archive}: what is copied in becomes the container user's; {@code overwrite}: a directory may
 * replace a non-directory and the other way round.
 */
public record ContainerCopyOptions(String source, String destination, boolean archive, boolean overwrite) {
}
