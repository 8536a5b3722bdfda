package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.EngineException;
import io.jpod.engine.NoSuchContainerException;
import io.jpod.engine.container.ContainerListReport;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/**
 * A top-level command that does one thing to each container it is given (names, --all or --latest) and prints one
 * line for it (stop, kill, rm, mount…). As podman's, a failure on one container is reported and the others are
 * still done; the exit code is then {@link #failureCode}'s (125 unless the command says otherwise).
 */
abstract class EachContainerCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Mixin
    ContainerTargets targets;

    /** What to do to one container; returns the line to print. */
    abstract String each(Engine engine, String container);

    /** The containers --all means (all of them unless the command acts on running ones only). */
    boolean includedInAll(ContainerListReport c) {
        return true;
    }

    /** Whether a container that does not exist is skipped silently (--ignore). */
    boolean ignoreMissing() {
        return false;
    }

    /** Checks the options before any container is touched (throws EngineException: one line, exit 125). */
    void check() {
    }

    /** The exit code for a failure on one container. */
    int failureCode(EngineException e) {
        return Main.EXIT_ENGINE;
    }

    @Override
    public final Integer call() {
        check();
        try (Engine engine = jpod.engine()) {
            int code = 0;
            for (String c : targets.select(engine, this::includedInAll)) {
                try {
                    jpod.out.println(each(engine, c));
                } catch (NoSuchContainerException e) {
                    if (!ignoreMissing()) {
                        code = worse(code, failureCode(e));
                        Main.report(e, jpod.err);
                    }
                } catch (EngineException e) {
                    code = worse(code, failureCode(e));
                    Main.report(e, jpod.err);
                }
            }
            return code;
        }
    }

    /** 125 outranks the other failure codes, which outrank success. */
    private static int worse(int a, int b) {
        return a == Main.EXIT_ENGINE || b == Main.EXIT_ENGINE ? Main.EXIT_ENGINE : Math.max(a, b);
    }
}
