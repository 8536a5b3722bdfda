package io.jpod.cli;

import io.jpod.engine.container.PathCompletion;

import io.jpod.engine.Engine;
import io.jpod.engine.container.ContainerListOptions;
import io.jpod.engine.container.ContainerListReport;

import java.util.ArrayList;
import java.util.List;

/** {@link CobraCompletion}'s words from the store: names as podman suggests them, and paths through the engine. */
final class CompletionSources implements CobraCompletion.Sources {
    private final Engine engine;

    CompletionSources(Engine engine) {
        this.engine = engine;
    }

    @Override
    public List<String> names(String kind, String typed) {
        boolean ids = typed.length() >= 2; // podman offers ids once two characters are typed
        List<String> out = new ArrayList<>();
        switch (kind) {
            case "CONTAINER" -> {
                for (ContainerListReport c : engine.containers().list(new ContainerListOptions(true))) {
                    out.add(c.name());
                    if (ids) {
                        out.add(c.id().substring(0, 12));
                    }
                }
            }
            case "IMAGE" -> {
                for (io.jpod.engine.image.ImageSummaryReport i : engine.images().list(new io.jpod.engine.image.ImageListOptions(false))) {
                    for (String n : i.names()) {
                        out.add(n);
                        int slash = n.indexOf('/');
                        if (slash > 0 && !typed.isEmpty()) { // "name:tag" once something is typed, as podman
                            out.add(n.substring(slash + 1));
                        }
                    }
                    if (ids) {
                        out.add(i.id().replaceFirst("^sha256:", "").substring(0, 12));
                    }
                }
            }
            case "POD" -> engine.pods().listReports().forEach(p -> out.add(p.name()));
            case "NETWORK" -> engine.networks().list(n -> true).forEach(n -> out.add(n.name()));
            case "VOLUME" -> engine.volumes().list(v -> true).forEach(v -> out.add(v.name()));
            default -> {
            }
        }
        return out;
    }

    @Override
    public CobraCompletion.Paths paths(String kind, String ref, String typed) {
        PathCompletion paths = engine.pathCompletion();
        PathCompletion.Candidates c = kind.equals("IMAGE") ? paths.inImage(ref, typed) : paths.inContainer(ref, typed);
        return new CobraCompletion.Paths(c.values(), c.noSpace());
    }
}
