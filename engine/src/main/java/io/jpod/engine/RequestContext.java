package io.jpod.engine;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * Everything a request depends on that belongs to its caller, never read from the process the engine runs in (in
 * the per-user service that is another process): the caller's environment, working directory, stdio, its terminal,
 * umask and credentials. The CLI builds one per command (from the native client's frames in the service, from this
 * process when it runs in-process); services take it where a command reads or writes the caller's streams. (Trace's
 * JPOD_TRACE is the one process-level read below the CLI.)
 *
 * @param terminal which of the caller's stdin, stdout, stderr are a terminal, and its size if known
 * @param umask    the caller's umask (e.g. 022), null when unknown
 * @param uid      the caller's uid as the engine's user namespace sees it, -1 when unknown
 * @param gid      the caller's gid likewise, -1 when unknown
 */
public record RequestContext(Map<String, String> env, Path workingDir, InputStream stdin, PrintStream stdout,
                             PrintStream stderr, Terminal terminal, Integer umask, long uid, long gid) {
    public RequestContext {
        env = env == null ? Map.of() : env;
        terminal = terminal == null ? Terminal.NONE : terminal;
    }

    /** As before the terminal was described: {@code stdinTerminal} says only whether stdin is one. */
    public RequestContext(Map<String, String> env, Path workingDir, InputStream stdin, PrintStream stdout, PrintStream stderr,
                          boolean stdinTerminal, Integer umask, long uid, long gid) {
        this(env, workingDir, stdin, stdout, stderr, new Terminal(stdinTerminal, false, false, 0, 0), umask, uid, gid);
    }

    /**
     * The caller's terminal.
     *
     * @param rows    its height in lines, 0 when unknown (or there is none)
     * @param columns its width, 0 when unknown
     */
    public record Terminal(boolean stdin, boolean stdout, boolean stderr, int rows, int columns) {
        /** No terminal at all (a pipe, a file, the API). */
        public static final Terminal NONE = new Terminal(false, false, false, 0, 0);

        public boolean sizeKnown() {
            return rows > 0 && columns > 0;
        }
    }
}
