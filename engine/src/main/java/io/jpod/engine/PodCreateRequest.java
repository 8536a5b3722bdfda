package io.jpod.engine;

import java.util.List;
import java.util.Map;

/**
 * `pod create`, parsed: name (null: generated), -p specs, --share (null: podman's default net,ipc,uts), --hostname,
 * --label, --infra, --infra-command, --add-host, --dns, --network, --userns, and the command line (inspect's
 * CreateCommand).
 */
public record PodCreateRequest(String name, List<String> publish, String share, String hostname, Map<String, String> labels,
                               boolean infra, List<String> infraCommand, List<String> addHosts, List<String> dns,
                               String network, String userns, List<String> createCommand) {
    public PodCreateRequest {
        publish = publish == null ? List.of() : List.copyOf(publish);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        infraCommand = infraCommand == null ? List.of() : List.copyOf(infraCommand);
        addHosts = addHosts == null ? List.of() : List.copyOf(addHosts);
        dns = dns == null ? List.of() : List.copyOf(dns);
        createCommand = createCommand == null ? List.of() : List.copyOf(createCommand);
    }
}
