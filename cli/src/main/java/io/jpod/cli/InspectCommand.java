package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.EngineException;
import io.jpod.engine.volume.VolumeService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** `jpod inspect`: containers, images or volumes as JSON, or each through a Go template. */
@Command(name = "inspect", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Show the configuration and state of containers, images or volumes as JSON.")
public final class InspectCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", description = "json (default) or a Go template, e.g. '{{.State.Pid}}'")
    String format;

    @Option(names = {"-t", "--type"}, paramLabel = "TYPE", defaultValue = "all",
            description = "container, image, volume, or all (default: a container, else an image, else a volume of that name)")
    String type;

    @Option(names = {"-l", "--latest"}, description = "The container created last (instead of names)")
    boolean latest;

    @Parameters(arity = "0..*", paramLabel = "NAME", description = "Container, image or volume names or ids")
    List<String> names = new ArrayList<>();

    @Override
    public Integer call() {
        if (!List.of("all", "container", "image", "volume").contains(type)) {
            throw new EngineException("unknown --type \"" + type + "\": use container, image, volume or all");
        }
        if (latest == !names.isEmpty()) {
            throw new EngineException(latest ? "--latest and containers cannot be used together"
                    : "inspect needs a name: give container, image or volume names or ids, or --latest");
        }
        OutputFormat fmt = OutputFormat.of(format);
        try (Engine engine = jpod.engine()) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (String name : latest ? List.of(ContainerTargets.latest(engine)) : names) {
                out.add(inspect(engine, name));
            }
            if (fmt.isTemplate()) {
                fmt.print(jpod.out, out, Map.of());
            } else {
                jpod.out.println(Formats.json(out));
            }
            return 0;
        }
    }

    private Map<String, Object> inspect(Engine engine, String name) {
        if (type.equals("container") || type.equals("all") && engine.containers().exists(name)) {
            return engine.containers().inspect(List.of(name)).get(0);
        }
        if (type.equals("image") || type.equals("all") && engine.images().find(name).isPresent()) {
            return engine.images().inspect(name);
        }
        VolumeService v = engine.volumes();
        if (type.equals("volume") || v.exists(name)) {
            return VolumeCommand.inspect(v.inspect(name));
        }
        throw new EngineException("inspecting object: no such object: \"" + name + "\""); // podman's words
    }
}
