package io.jpod.engine.image;

/**
 * `load`.
 *
 * @param file  an archive or a layout directory (absolute, the caller's), or null to read the stream given with the options
 * @param quiet no progress events
 */
public record ImageLoadOptions(java.nio.file.Path file, boolean quiet) {
}
