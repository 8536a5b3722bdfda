package io.jpod.cli;

import io.jpod.engine.RunRequest;
import picocli.CommandLine.Command;

/** `jpod run` options about resource limits (cgroups). None yet. */
@Command
public final class RunResourceOptions {
    RunRequest.ResourceRequest toRequest() {
        return new RunRequest.ResourceRequest();
    }
}
