package io.jpod.cli;

import io.jpod.engine.RunRequest;
import picocli.CommandLine.Command;

/** `jpod run` options about the sandbox (capabilities, seccomp, mounts, user namespace). None yet: the defaults. */
@Command
public final class RunSecurityOptions {
    RunRequest.SecurityRequest toRequest() {
        return new RunRequest.SecurityRequest();
    }
}
