package io.jpod.cli;

import io.jpod.engine.Engine;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.concurrent.Callable;

/** A top-level command that does one thing to each named container and prints one line for it (stop, kill, mount…). */
abstract class EachContainerCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Container names or ids")
    List<String> containers;

    /** What to do to one container; returns the line to print. */
    abstract String each(Engine engine, String container);

    @Override
    public final Integer call() {
        try (Engine engine = jpod.engine()) {
            for (String c : containers) {
                jpod.out.println(each(engine, c));
            }
            return 0;
        }
    }
}
