package io.jpod.engine.pod;

import io.jpod.engine.EngineException;
import io.jpod.engine.container.RunRequest;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * What `kube generate` needs of a container beyond its record, as `run`/`create` were given it: kept in
 * {@code <root>/containers/<id>/kube.json} (written atomically at creation, removed with the container).
 *
 * @param volumes  -v specs as given (SOURCE:DEST[:OPTIONS]; a SOURCE without '/' is a named volume)
 * @param memory   --memory as given (null: none)
 * @param cpus     --cpus as given (null: none)
 * @param user     --user as given (null: the image's)
 */
public record KubeSource(List<String> capAdd, List<String> capDrop, boolean privileged, boolean readOnly,
                         List<String> volumes, String memory, String cpus, String user, String restart) {
    static final String FILE = "kube.json";
    private static final ObjectMapper JSON = new ObjectMapper(); // shared: inspect reads it for every container

    public static KubeSource of(RunRequest req) {
        RunRequest.SecurityRequest s = req.security();
        RunRequest.ResourceRequest r = req.resources();
        return new KubeSource(s == null || s.capAdd() == null ? List.of() : s.capAdd(), s == null || s.capDrop() == null ? List.of() : s.capDrop(),
                s != null && s.privileged(), s != null && s.readOnly(), s == null || s.volumes() == null ? List.of() : s.volumes(),
                r == null ? null : r.memory(), r == null ? null : r.cpus(), req.process().user(),
                req.lifecycle() == null ? null : req.lifecycle().restart().stored());
    }

    /** Whether anything differs from a container made without these flags (then no file is written: run's hot path). */
    boolean isDefault() {
        return capAdd.isEmpty() && capDrop.isEmpty() && !privileged && !readOnly && volumes.isEmpty() && memory == null
                && cpus == null && user == null && (restart == null || restart.equals("no"));
    }

    public void write(Path containerDir) throws IOException {
        if (isDefault()) {
            return;
        }
        Path tmp = containerDir.resolve(FILE + ".tmp");
        Files.write(tmp, JSON.writeValueAsBytes(this));
        Files.move(tmp, containerDir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The container's settings; empty ones for containers made before jpod kept them. */
    public static KubeSource read(Path containerDir) {
        try {
            return JSON.readValue(Files.readAllBytes(containerDir.resolve(FILE)), KubeSource.class);
        } catch (NoSuchFileException e) {
            return new KubeSource(List.of(), List.of(), false, false, List.of(), null, null, null, null);
        } catch (IOException e) {
            throw new EngineException("cannot read " + containerDir.resolve(FILE) + ": " + e.getMessage() + "; remove the container and create it again");
        }
    }
}
