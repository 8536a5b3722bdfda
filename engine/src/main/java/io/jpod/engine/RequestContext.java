package io.jpod.engine;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * Everything a request depends on that belongs to its caller, never read from the process the engine runs in (in
 * the per-user service that is another process): the caller's environment, working directory, stdio, whether its
 * stdin is a terminal, its umask and credentials. The CLI builds one per command; services take it where a command
 * reads or writes the caller's streams. (Trace's JPOD_TRACE is the one process-level read below the CLI.)
 *
 * @param umask null when unknown
 * @param uid   the caller's uid, -1 when unknown
 */
public record RequestContext(Map<String, String> env, Path workingDir, InputStream stdin, PrintStream stdout,
                             PrintStream stderr, boolean terminal, Integer umask, long uid, long gid) {
    public RequestContext {
        env = env == null ? Map.of() : env;
    }
}
