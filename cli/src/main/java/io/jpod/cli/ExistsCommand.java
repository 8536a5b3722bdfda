package io.jpod.cli;

import io.jpod.engine.Engine;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/**
 * `jpod network|volume|pod|secret exists NAME`: exit 0 if the object exists, 1 if not, and print nothing (podman's).
 * A subclass declares the parameter (podman's label for it) and asks its service.
 */
abstract class ExistsCommand implements Callable<Integer> {
    @ParentCommand
    CommandGroup group;

    /** Whether the object the subclass's parameter names exists. */
    abstract boolean exists(Engine engine);

    @Override
    public Integer call() {
        try (Engine engine = group.jpod.engine()) {
            return exists(engine) ? 0 : 1;
        }
    }
}
