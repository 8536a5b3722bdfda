package io.jpod.storage;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the store knows of one pod: what `pod create` was given. Its containers name it in their creation settings
 * ({@link ContainerLifecycle.Config#pod}); its state is derived from theirs; the infra process's run state lives in
 * the run root (gone at reboot, like the process).
 *
 * @param infraId       the id the infra is known by (inspect's InfraContainerID, the slirp4netns API socket's name);
 *                      null with {@code --infra=false}
 * @param share         the namespaces the pod's containers share with the infra: net, ipc, uts, pid
 * @param publish       -p specs as given, published on the infra's network
 * @param hostname      the shared host name (null: the pod's name)
 * @param network       the infra's network mode as given (null: slirp4netns)
 * @param createCommand the command line that made the pod (inspect's CreateCommand)
 * @param userns        "keep-id": the infra holds a keep-id user namespace its containers join (null: jpod's own)
 * @param exitPolicy    podman's --exit-policy: "stop" stops the infra when the last container has exited (null: continue)
 * @param infraName     the infra's name as --infra-name gave it (null: podman's default, the id's 12 digits and -infra)
 * @param serviceContainerId the service container kube play --service-container linked the pod to (null: none); the
 *                      container's own record marks it as one, the link lives here only (no list to keep in step)
 */
public record PodRecord(String id, String name, Instant created, Map<String, String> labels, String infraId,
                        List<String> share, List<String> publish, String hostname, String network,
                        List<String> addHosts, List<String> dns, List<String> infraCommand, List<String> createCommand,
                        String userns, String exitPolicy, String infraName, String serviceContainerId) {

    public PodRecord {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        share = share == null ? List.of() : List.copyOf(share);
        publish = publish == null ? List.of() : List.copyOf(publish);
        addHosts = addHosts == null ? List.of() : List.copyOf(addHosts);
        dns = dns == null ? List.of() : List.copyOf(dns);
        infraCommand = infraCommand == null ? List.of() : List.copyOf(infraCommand);
        createCommand = createCommand == null ? List.of() : List.copyOf(createCommand);
    }

    /** Without a service container. */
    public PodRecord(String id, String name, Instant created, Map<String, String> labels, String infraId,
                     List<String> share, List<String> publish, String hostname, String network,
                     List<String> addHosts, List<String> dns, List<String> infraCommand, List<String> createCommand,
                     String userns, String exitPolicy, String infraName) {
        this(id, name, created, labels, infraId, share, publish, hostname, network, addHosts, dns, infraCommand, createCommand,
                userns, exitPolicy, infraName, null);
    }

    /** With podman's default exit policy (continue) and infra name (records of older jpod versions read as this). */
    public PodRecord(String id, String name, Instant created, Map<String, String> labels, String infraId,
                     List<String> share, List<String> publish, String hostname, String network,
                     List<String> addHosts, List<String> dns, List<String> infraCommand, List<String> createCommand,
                     String userns) {
        this(id, name, created, labels, infraId, share, publish, hostname, network, addHosts, dns, infraCommand, createCommand,
                userns, null, null);
    }
}
