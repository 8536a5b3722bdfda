package io.jpod.cli.api;

import io.jpod.engine.ContainerRunningException;
import io.jpod.engine.EngineException;
import io.jpod.engine.ImageInUseException;
import io.jpod.engine.NoSuchContainerException;
import io.jpod.engine.NoSuchImageException;
import io.jpod.engine.NoSuchVolumeException;
import io.jpod.image.ImageException;
import io.jpod.network.NetworkException;
import io.jpod.rootless.RootlessException;
import io.jpod.storage.StorageException;

/**
 * The engine's typed failures as docker's status codes: 404 what is not there, 409 a conflict with the state
 * (running, in use, name taken), 500 anything else the engine reports; an unexpected exception is a 500 naming its
 * type only (never a stack trace).
 */
final class ApiErrors {
    record Failure(int status, String message, boolean unexpected) {
    }

    private ApiErrors() {
    }

    static Failure of(RuntimeException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        // docker's words for what is not there (its CLI prints them; scripts match them)
        if (e instanceof NoSuchContainerException c) {
            return new Failure(404, "No such container: " + c.reference(), false);
        }
        if (e instanceof NoSuchImageException i) {
            return new Failure(404, "No such image: " + i.reference(), false);
        }
        if (e instanceof NoSuchVolumeException v) {
            return new Failure(404, "get " + v.reference() + ": no such volume", false);
        }
        if (e instanceof ContainerRunningException || e instanceof ImageInUseException) {
            return new Failure(409, m, false);
        }
        if (e instanceof EngineException || e instanceof ImageException || e instanceof StorageException
                || e instanceof RootlessException || e instanceof NetworkException) {
            String lower = m.toLowerCase(java.util.Locale.ROOT);
            if (lower.contains("no such") || lower.contains("not found")) {
                return new Failure(404, m, false);
            }
            if (lower.contains("already in use") || lower.contains("is in use") || lower.contains("being used") || lower.contains("already exists")) {
                return new Failure(409, m, false);
            }
            return new Failure(500, m, false);
        }
        if (e instanceof IllegalArgumentException) {
            return new Failure(400, m, false);
        }
        return new Failure(500, "internal error: " + e.getClass().getName(), true);
    }
}
