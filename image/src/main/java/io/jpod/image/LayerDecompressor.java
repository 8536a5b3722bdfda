package io.jpod.image;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Turns a layer blob into an uncompressed tar stream. The media type decides what is acceptable; the actual format
 * is sniffed from the magic bytes, because images in the wild do carry gzip data under a plain-tar type and vice versa
 * (containerd decompresses by sniffing too).
 */
final class LayerDecompressor {
    private static final int BUFFER = 128 * 1024;

    private LayerDecompressor() {
    }

    enum Kind { TAR, GZIP, ZSTD }

    /** The compression a layer media type declares; throws for types that are not layers or that jpod cannot use. */
    static Kind declared(String mediaType, String digest) {
        if (mediaType == null) {
            throw new ImageException("layer " + digest + " has no media type");
        }
        switch (mediaType) {
            case MediaTypes.OCI_LAYER:
            case MediaTypes.OCI_LAYER_NONDISTRIBUTABLE:
            case MediaTypes.DOCKER_LAYER:
                return Kind.TAR;
            case MediaTypes.OCI_LAYER_GZIP:
            case MediaTypes.OCI_LAYER_NONDISTRIBUTABLE_GZIP:
            case MediaTypes.DOCKER_LAYER_GZIP:
            case MediaTypes.DOCKER_LAYER_FOREIGN_GZIP:
                return Kind.GZIP;
            case MediaTypes.OCI_LAYER_ZSTD:
            case MediaTypes.OCI_LAYER_NONDISTRIBUTABLE_ZSTD:
            case MediaTypes.DOCKER_LAYER_ZSTD:
                return Kind.ZSTD;
            default:
                throw new ImageException("layer " + digest + " has unsupported media type \"" + mediaType + "\"; it is not a container image layer");
        }
    }

    /** Wraps {@code compressed}; the caller keeps ownership of {@code compressed} (closing the result closes it too). */
    static InputStream open(InputStream compressed, String mediaType, String digest) throws IOException {
        declared(mediaType, digest);
        BufferedInputStream in = new BufferedInputStream(compressed, BUFFER);
        in.mark(4);
        byte[] magic = in.readNBytes(4);
        in.reset();
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            // Concatenated members are legal gzip (pigz, some builders); they must all be read.
            return GzipCompressorInputStream.builder().setInputStream(in).setDecompressConcatenated(true).get();
        }
        if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5 && (magic[2] & 0xff) == 0x2f
                && (magic[3] & 0xff) == 0xfd) {
            return ZstdLayers.open(in, digest);
        }
        return in;
    }

    /**
     * Kept in its own class so that zstd-jni (and its native library, unpacked at first use) is loaded only when a zstd
     * layer actually arrives: gzip pulls and every other command never pay for it.
     */
    private static final class ZstdLayers {
        static InputStream open(InputStream in, String digest) throws IOException {
            try {
                // zstd-jni reads concatenated frames (zstd -T, chunked builders) as one stream, as the format requires.
                return new org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream(in);
            } catch (LinkageError e) {
                throw new ImageException("layer " + digest + " is zstd-compressed, and zstd-jni's native library cannot be loaded here ("
                        + ManifestParser.oneLine(String.valueOf(e.getMessage())) + "); pull a gzip variant of the image");
            }
        }
    }
}
