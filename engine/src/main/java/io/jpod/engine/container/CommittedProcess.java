package io.jpod.engine.container;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jpod.storage.ContainerLifecycle;
import io.jpod.storage.ContainerRecord;

import java.util.List;

/**
 * What `commit` keeps of how the container ran, as podman's commit does: the image's Entrypoint becomes the
 * container's (its --entrypoint, else the image's) and Cmd the rest of its command line, so that the new image runs
 * what the container ran (030-run "podman run docker-archive" commits a container made with --entrypoint).
 */
public final class CommittedProcess {
    private CommittedProcess() {
    }

    /** Sets {@code config.config.Entrypoint} and {@code Cmd} of an image config from container {@code c}. */
    public static void apply(ObjectNode imageConfig, ContainerRecord c) {
        List<String> argv = c.command();
        ContainerLifecycle.Config cfg = c.lifecycle() == null ? null : c.lifecycle().config();
        if (argv == null || argv.isEmpty() || cfg == null || cfg.entrypoint() == null) {
            return; // nothing recorded (a record of an older jpod): the image's own settings stay
        }
        List<String> entrypoint = cfg.entrypoint();
        if (argv.size() < entrypoint.size() || !argv.subList(0, entrypoint.size()).equals(entrypoint)) {
            entrypoint = List.of(); // an entrypoint recorded unsplit by an older jpod: the whole command line is Cmd
        }
        ObjectNode process = imageConfig.with("config");
        set(process.putArray("Entrypoint"), entrypoint);
        set(process.putArray("Cmd"), argv.subList(entrypoint.size(), argv.size()));
        if (entrypoint.isEmpty()) {
            process.remove("Entrypoint");
        }
        if (argv.size() == entrypoint.size()) {
            process.remove("Cmd");
        }
    }

    private static void set(ArrayNode array, List<String> words) {
        words.forEach(array::add);
    }
}
