package io.jpod.engine.build;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What `jpod build` was asked for. containerfile: its text (read by the CLI, also from stdin) and fileName (for
 * messages); tags: names for the result (none: only the id); pull: always|missing|never|newer for FROM images;
 * format: oci|docker; layers: use and fill the layer cache; network: --network for RUN (null: the default);
 * ignoreFile: --ignorefile (null: the context's .containerignore or .dockerignore); secrets: --secret id → content
 * (for RUN --mount=type=secret, never stored); volumes: -v specs for every RUN; platform: --platform/--arch for FROM
 * images (null: the host's); squash: null, "new" (--squash: the target stage's new layers as one) or "all" (--squash-all); noHosts: --no-hosts for RUN;
 * annotations: --annotation, in the built image's manifest.
 */
public record BuildRequest(Path context, String containerfile, String fileName, List<String> tags,
                           Map<String, String> buildArgs, String target, boolean noCache, String pull,
                           Map<String, String> labels, String format, boolean layers, boolean quiet,
                           String network, boolean removeContainers, Path ignoreFile, Map<String, byte[]> secrets,
                           List<String> volumes, String platform, String squash, boolean noHosts,
                           Map<String, String> annotations, List<String> ulimits, List<String> securityOpts) {
    public BuildRequest {
        ulimits = List.copyOf(ulimits);
        securityOpts = List.copyOf(securityOpts);
        secrets = Map.copyOf(secrets);
        annotations = Map.copyOf(annotations);
        volumes = List.copyOf(volumes);
        tags = List.copyOf(tags);
        buildArgs = Map.copyOf(buildArgs);
        labels = Map.copyOf(labels);
    }

    /** Without --ulimit and --security-opt for the RUN steps. */
    public BuildRequest(Path context, String containerfile, String fileName, List<String> tags,
                        Map<String, String> buildArgs, String target, boolean noCache, String pull,
                        Map<String, String> labels, String format, boolean layers, boolean quiet,
                        String network, boolean removeContainers, Path ignoreFile, Map<String, byte[]> secrets,
                        List<String> volumes, String platform, String squash, boolean noHosts,
                        Map<String, String> annotations) {
        this(context, containerfile, fileName, tags, buildArgs, target, noCache, pull, labels, format, layers, quiet, network,
                removeContainers, ignoreFile, secrets, volumes, platform, squash, noHosts, annotations, List.of(), List.of());
    }
}
