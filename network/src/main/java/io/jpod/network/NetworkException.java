package io.jpod.network;

/** A network set-up failure with a one-line message for the user. */
public class NetworkException extends RuntimeException {
    public NetworkException(String message) {
        super(message);
    }
}
