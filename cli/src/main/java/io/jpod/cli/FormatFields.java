package io.jpod.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.jpod.engine.image.ImageSearchReport;
import picocli.CommandLine.Model.CommandSpec;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What cobra's completion offers for {@code --format {{.}}: the Go-template fields of the command's rows, as
 * podman's AutocompleteFormat lists them from its report types ({@code {{.Name}}}). A command whose rows are a
 * typed record has its fields read from that record (the same components its JSON is written from); the others
 * name the top-level keys of the JSON they print. Commands not listed offer nothing (the shell's default).
 */
final class FormatFields {
    private static final Map<String, List<String>> BY_COMMAND = Map.ofEntries(
            Map.entry("search", fields(ImageSearchReport.class)),
            Map.entry("image search", fields(ImageSearchReport.class)),
            Map.entry("history", List.of("ID", "Created", "CreatedSince", "CreatedAt", "CreatedBy", "Size", "Comment", "Tags")),
            Map.entry("image history", List.of("ID", "Created", "CreatedSince", "CreatedAt", "CreatedBy", "Size", "Comment", "Tags")),
            Map.entry("container inspect", List.of("ID", "Created", "Path", "Args", "State", "Image", "ImageName", "Name", "Config", "HostConfig",
                    "Mounts", "NetworkSettings", "Pod", "RestartCount", "Driver", "OCIRuntime")),
            Map.entry("image inspect", List.of("ID", "Digest", "RepoTags", "RepoDigests", "Parent", "Comment", "Created", "Config",
                    "Version", "Author", "Architecture", "Os", "Size", "VirtualSize", "GraphDriver", "RootFS", "Labels",
                    "Annotations", "ManifestType", "User", "History", "NamesHistory")),
            Map.entry("volume inspect", List.of("Name", "Driver", "Mountpoint", "CreatedAt", "Labels", "Scope", "Options",
                    "MountCount", "NeedsCopyUp", "NeedsChown")),
            Map.entry("secret inspect", List.of("ID", "CreatedAt", "UpdatedAt", "Spec")),
            Map.entry("network inspect", List.of("Name", "ID", "Driver", "NetworkInterface", "Created", "Subnets", "IPv6Enabled",
                    "Internal", "DNSEnabled", "Labels", "Options", "IPAMOptions")),
            Map.entry("pod inspect", List.of("ID", "Name", "Created", "CreateCommand", "ExitPolicy", "State", "Hostname", "Labels",
                    "CreateCgroup", "CreateInfra", "InfraContainerID", "InfraConfig", "SharedNamespaces", "NumContainers",
                    "Containers")),
            Map.entry("ps", List.of("ID", "Image", "ImageID", "Command", "Created", "CreatedAt", "RunningFor", "Status", "Ports",
                    "Names", "Labels", "Mounts", "Networks", "Pod", "PodName", "State", "Size", "ExitCode", "Exited")),
            Map.entry("events", List.of("ID", "Time", "TimeNano", "Type", "Status", "Name", "Image", "Attributes")));

    private FormatFields() {
    }

    /**
     * The {@code {{.Field}}} candidates of the command at {@code spec} that start with {@code typed}. The top-level
     * {@code inspect} (of any kind of object) offers none, as podman's; {@code container inspect} the container's.
     *
     * @param containerGroup the command's name when it was given as {@code container NAME}, else null
     */
    static List<String[]> candidates(CommandSpec spec, String containerGroup, String typed) {
        List<String[]> out = new ArrayList<>();
        String key = containerGroup != null ? "container " + containerGroup : path(spec);
        List<String> fields = BY_COMMAND.get(key);
        if (fields == null && containerGroup != null) {
            fields = BY_COMMAND.get(path(spec)); // container ps is ps
        }
        for (String f : fields == null ? List.<String>of() : fields) {
            String candidate = "{{." + f + "}}";
            if (candidate.startsWith(typed)) {
                out.add(new String[]{candidate});
            }
        }
        return out;
    }

    /** "image search" for `jpod image search` (the names below the root). */
    private static String path(CommandSpec spec) {
        List<String> names = new ArrayList<>();
        for (CommandSpec s = spec; s != null && s.parent() != null; s = s.parent()) {
            names.add(0, s.name());
        }
        return String.join(" ", names);
    }

    /** A report record's template fields: its components by their JSON names. */
    static List<String> fields(Class<? extends Record> report) {
        List<String> out = new ArrayList<>();
        for (RecordComponent c : report.getRecordComponents()) {
            JsonProperty p = c.getAccessor().getAnnotation(JsonProperty.class);
            if (p == null) {
                p = c.getAnnotation(JsonProperty.class);
            }
            out.add(p != null ? p.value() : c.getName());
        }
        return out;
    }
}
