package io.jpod.image;

import java.io.IOException;

/**
 * Downloaded content does not match its descriptor. An IOException so it can travel through consumers of the
 * stream (the layer unpacker); the puller finds it in the cause chain and reports its message.
 */
final class ContentMismatchException extends IOException {
    private static final long serialVersionUID = 1L;

    ContentMismatchException(String message) {
        super(message);
    }
}
