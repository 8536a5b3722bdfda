package io.jpod.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.jpod.engine.Engine;
import io.jpod.engine.EngineException;
import io.jpod.engine.build.BuildRequest;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * `kube play --build [--context-dir DIR]`, podman's rule: a container whose image's last path component names a
 * directory of DIR (default: the caller's working directory) holding a Containerfile or Dockerfile gets that image
 * built there and tagged with the image's name first; other images are pulled as usual. Also podman's limit on
 * annotations (Kubernetes' 63 characters), checked before anything is pulled or made.
 */
final class KubeBuild {
    /** Kubernetes' longest annotation value, as podman enforces it. */
    static final int MAX_ANNOTATION = 63;

    private KubeBuild() {
    }

    /** --annotation KEY=VALUE values (podman's message for one too long). */
    static void checkAnnotationOptions(List<String> annotations) {
        for (String a : annotations) {
            int eq = a.indexOf('=');
            String v = eq < 0 ? "" : a.substring(eq + 1);
            if (v.length() > MAX_ANNOTATION) {
                throw new EngineException("annotation exceeds maximum size, " + MAX_ANNOTATION + ", of kubernetes annotation: " + v);
            }
        }
    }

    /** A document's metadata.annotations (podman's message for a value too long). */
    static void checkAnnotations(JsonNode metadata) {
        metadata.path("annotations").fields().forEachRemaining(e -> {
            String v = e.getValue().asText();
            if (v.length() > MAX_ANNOTATION) {
                throw new EngineException("invalid annotation \"" + e.getKey() + "\"=\"" + v + "\" value length exceeds Kubernetes max "
                        + MAX_ANNOTATION);
            }
        });
    }

    /** Builds the images of the pod's containers that have a build directory under {@code contextDir}. */
    static void buildImages(Engine engine, JsonNode spec, Path contextDir, PrintStream out) {
        for (JsonNode c : spec.path("containers")) {
            String image = c.path("image").asText();
            if (image.isEmpty()) {
                continue;
            }
            String base = image.replaceFirst("@.*$", "");
            base = base.substring(base.lastIndexOf('/') + 1).replaceFirst(":.*$", "");
            Path dir = contextDir.resolve(base);
            Path file = Files.isRegularFile(dir.resolve("Containerfile")) ? dir.resolve("Containerfile")
                    : Files.isRegularFile(dir.resolve("Dockerfile")) ? dir.resolve("Dockerfile") : null;
            if (file == null) {
                continue;
            }
            String text;
            try {
                text = Files.readString(file);
            } catch (IOException e) {
                throw new EngineException("cannot read " + file + ": " + e.getMessage());
            }
            engine.build(new BuildRequest(dir, text, file.getFileName().toString(), List.of(image), Map.of(), null, false, "missing",
                    Map.of(), "oci", true, false, null, true, null, Map.of(), List.of(), null, null, false, Map.of()), out);
        }
    }
}
