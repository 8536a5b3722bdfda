package io.jpod.engine;

import io.jpod.rootless.HostUser;
import io.jpod.rootless.RunRoot;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where jpod keeps things, podman-style: images and containers under
 * {@code $XDG_DATA_HOME/jpod/storage} (default {@code ~/.local/share/jpod/storage}), run-time state under
 * {@code $XDG_RUNTIME_DIR/jpod}, configuration under {@code $XDG_CONFIG_HOME/jpod}.
 * HOME comes from the environment: inside the user namespace the JVM believes it is root.
 */
public record Dirs(Path storageRoot, RunRoot runRoot, Path configDir, Path home, Path volumes) {

    /** Volumes under the storage root ({@code ROOT/volumes}), podman's default. */
    public Dirs(Path storageRoot, RunRoot runRoot, Path configDir, Path home) {
        this(storageRoot, runRoot, configDir, home, storageRoot.resolve("volumes"));
    }

    /** These dirs with volumes in {@code dir} (podman's --volumepath), or as they are when it is null. */
    public Dirs withVolumes(String dir) {
        return dir == null ? this : new Dirs(storageRoot, runRoot, configDir, home, Path.of(dir).toAbsolutePath().normalize());
    }

    /** Whether volumes live elsewhere than under the storage root (--volumepath was given). */
    public boolean volumesMoved() {
        return !volumes.equals(storageRoot.resolve("volumes"));
    }

    public static Dirs from(Map<String, String> env, String rootOverride, String runRootOverride) {
        String homeVar = env.get("HOME");
        if (homeVar == null || homeVar.isBlank()) {
            throw new EngineException("HOME is not set; jpod keeps its storage under $HOME/.local/share/jpod, so set HOME");
        }
        Path home = Path.of(homeVar);
        Path dataHome = env.get("XDG_DATA_HOME") != null && !env.get("XDG_DATA_HOME").isBlank()
                ? Path.of(env.get("XDG_DATA_HOME")) : home.resolve(".local/share");
        Path configHome = env.get("XDG_CONFIG_HOME") != null && !env.get("XDG_CONFIG_HOME").isBlank()
                ? Path.of(env.get("XDG_CONFIG_HOME")) : home.resolve(".config");
        Path storage = rootOverride != null ? Path.of(rootOverride) : dataHome.resolve("jpod/storage");
        RunRoot runRoot = runRootOverride != null ? new RunRoot(Path.of(runRootOverride), false)
                : RunRoot.resolve(env, HostUser.current().uid());
        return new Dirs(storage.toAbsolutePath(), runRoot, configHome.resolve("jpod"), home);
    }
}
