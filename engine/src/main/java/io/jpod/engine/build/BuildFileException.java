package io.jpod.engine.build;

import io.jpod.engine.EngineException;

/** A Containerfile that cannot be built as written; the message names the file and line. */
public final class BuildFileException extends EngineException {
    public BuildFileException(String file, int line, String message) {
        super(file + ":" + line + ": " + message);
    }
}
