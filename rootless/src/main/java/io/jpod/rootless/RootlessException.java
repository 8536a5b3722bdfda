package io.jpod.rootless;

/** A failure of the rootless set-up with a one-line message for the user: what is wrong and what to do. */
public class RootlessException extends RuntimeException {
    public RootlessException(String message) {
        super(message);
    }

    public RootlessException(String message, Throwable cause) {
        super(message, cause);
    }
}
