package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.network.PortMapping;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.concurrent.Callable;

/** `jpod port CONTAINER [PORT[/PROTO]]`: the container's published ports, podman's format. */
@Command(name = "port", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "List the published ports of a container.")
public final class PortCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Parameters(index = "0", paramLabel = "CONTAINER", description = "Container name or id")
    String container;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PORT[/PROTO]", description = "Only this container port (default protocol tcp)")
    String port;

    @Override
    public Integer call() {
        try (Engine engine = jpod.engine()) {
            List<PortMapping> ports = engine.ports(container);
            if (port == null) {
                ports.forEach(p -> jpod.out.println(p.describe()));
                return 0;
            }
            String wanted = port.contains("/") ? port : port + "/tcp";
            List<PortMapping> match = ports.stream().filter(p -> (p.containerPort() + "/" + p.protocol()).equals(wanted)).toList();
            if (match.isEmpty()) {
                jpod.err.println("Error: failed to find published port \"" + wanted + "\"");
                return 125;
            }
            match.forEach(p -> jpod.out.println(p.hostIp() + ":" + p.hostPort()));
            return 0;
        }
    }
}
