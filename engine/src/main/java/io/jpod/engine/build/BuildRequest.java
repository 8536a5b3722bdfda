package io.jpod.engine.build;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What `jpod build` was asked for. containerfile: its text (read by the CLI, also from stdin) and fileName (for
 * messages); tags: names for the result (none: only the id); pull: always|missing|never|newer for FROM images;
 * format: oci|docker; layers: use and fill the layer cache; network: --network for RUN (null: the default);
 * ignoreFile: --ignorefile (null: the context's .containerignore or .dockerignore).
 */
public record BuildRequest(Path context, String containerfile, String fileName, List<String> tags,
                           Map<String, String> buildArgs, String target, boolean noCache, String pull,
                           Map<String, String> labels, String format, boolean layers, boolean quiet,
                           String network, boolean removeContainers, Path ignoreFile) {
    public BuildRequest {
        tags = List.copyOf(tags);
        buildArgs = Map.copyOf(buildArgs);
        labels = Map.copyOf(labels);
    }
}
