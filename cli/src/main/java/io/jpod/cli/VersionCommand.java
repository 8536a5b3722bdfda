package io.jpod.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** `jpod version` and `jpod --version`. */
@Command(name = "version", mixinStandardHelpOptions = true, description = "Show the jpod version.")
public final class VersionCommand implements Runnable {
    /** also the native client's JPOD_VERSION (it answers `jpod --version` itself): both come from the root pom's jpod.version */
    public static final String VERSION = io.jpod.engine.system.JpodVersion.VERSION;

    @ParentCommand
    JpodCommand jpod;

    @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", description = "json, or a Go template such as '{{.Client.Version}}'")
    String format;

    @Override
    public void run() {
        OutputFormat fmt = OutputFormat.of(format);
        Map<String, Object> client = new LinkedHashMap<>();
        client.put("Version", VERSION);
        client.put("Java", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        client.put("OsArch", "linux/" + InfoCommand.goArch());
        client.put("Os", "linux");
        client.put("APIVersion", VERSION);
        client.put("Built", io.jpod.engine.system.JpodVersion.BUILT); // podman's unix time of the build; Debian's podman says 0 too
        // jpod is its own server: scripts ask for {{.Server.Version}} (podman's pause image tag is built from it)
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("Client", client);
        all.put("Server", client);
        if (fmt.isJson()) {
            jpod.out.println(Formats.json(all));
        } else if (fmt.isTemplate()) {
            fmt.print(jpod.out, List.of(all), Map.of());
        } else {
            jpod.out.println("Version:      " + VERSION);
            jpod.out.println("Java:         " + client.get("Java"));
            jpod.out.println("OS/Arch:      " + client.get("OsArch"));
        }
    }

    /** For --version. */
    public static final class Provider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"jpod version " + VERSION};
        }
    }
}
