package io.jpod.image;

/** User-facing failure of the image layer; the message is one line saying what was wrong and what to do. */
public class ImageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
