package io.jpod.cli;

import io.jpod.engine.EngineException;
import io.jpod.storage.TextFiles;

import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --env-file}: podman's format, one {@code KEY=VALUE} or bare {@code KEY} (taken from jpod's environment) per
 * line, {@code #} comments and blank lines skipped, no quoting. Files come first, so {@code -e} overrides them.
 */
final class EnvFiles {
    private EnvFiles() {
    }

    static List<String> withFiles(List<String> files, List<String> env) {
        return withFiles(files, env, "env");
    }

    /** The same format for --label-file ({@code what} "label"): lines of the files, then the flags' values. */
    static List<String> withFiles(List<String> files, List<String> env, String what) {
        List<String> out = new ArrayList<>();
        for (String f : files) {
            List<String> lines;
            try {
                lines = TextFiles.readUtf8(Path.of(f), what + " file").lines().toList();
            } catch (NoSuchFileException e) {
                throw new EngineException("cannot read " + what + " file " + f + ": no such file or directory; give a readable file of KEY=VALUE lines");
            }
            for (String line : lines) {
                String l = line.stripLeading();
                if (l.isEmpty() || l.startsWith("#")) {
                    continue;
                }
                if (l.startsWith("=")) {
                    throw new EngineException("invalid line in " + what + " file " + f + ": \"" + line + "\" has no name");
                }
                out.add(l.contains("=") ? l : l.strip());
            }
        }
        out.addAll(env);
        return List.copyOf(out);
    }
}
