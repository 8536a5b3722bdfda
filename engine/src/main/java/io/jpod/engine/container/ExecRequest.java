package io.jpod.engine.container;

import java.util.List;

/** `jpod exec`: a command in a running container; null user/workdir take the container's. */
public record ExecRequest(String container, List<String> command, List<String> env, String workdir, String user,
                          boolean interactive, boolean tty, boolean detach) {
}
