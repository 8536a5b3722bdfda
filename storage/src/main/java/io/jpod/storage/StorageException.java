package io.jpod.storage;

/** A storage failure with a message fit to show the user as it is (one line, what went wrong and what to do). */
public class StorageException extends RuntimeException {
    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
