package io.jpod.storage;

/**
 * The content of {@code overlay/<chainhex>/layer.json}.
 *
 * @param whiteoutFiles true when the layer keeps {@code .wh.*} marker files instead of 0:0 devices/opaque xattrs (it
 *                      was unpacked where mknod was not permitted): only fuse-overlayfs and vfs read it correctly
 */
public record LayerInfo(String chainId, String diffId, String parent, long size, boolean whiteoutFiles) {
}
