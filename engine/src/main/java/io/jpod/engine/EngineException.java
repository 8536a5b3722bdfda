package io.jpod.engine;

/** An engine failure with a one-line message for the user (what was wrong, what to do). */
public class EngineException extends RuntimeException {
    public EngineException(String message) {
        super(message);
    }

    public EngineException(String message, Throwable cause) {
        super(message, cause);
    }
}
