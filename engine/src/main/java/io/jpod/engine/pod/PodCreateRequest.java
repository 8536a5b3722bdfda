package io.jpod.engine.pod;

import java.util.List;
import java.util.Map;

/**
 * `pod create`, parsed: name (null: generated), -p specs, --share (null: podman's default net,ipc,uts), --hostname,
 * --label, --infra, --infra-command, --add-host, --dns, --network, --userns, the command line (inspect's
 * CreateCommand), the pod cgroup's --memory and --cpus (null: none), --exit-policy (null: continue), --replace, --infra-name and --infra-image (null: podman's default),
 * and the service container kube play --service-container links the pod to (null: none; see {@link ServiceContainers}).
 */
public record PodCreateRequest(String name, List<String> publish, String share, String hostname, Map<String, String> labels,
                               boolean infra, List<String> infraCommand, List<String> addHosts, List<String> dns,
                               String network, String userns, List<String> createCommand, String memory, String cpus,
                               String exitPolicy, boolean replace, String infraName, String infraImage, String serviceContainerId) {
    /** Without a service container. */
    public PodCreateRequest(String name, List<String> publish, String share, String hostname, Map<String, String> labels,
                            boolean infra, List<String> infraCommand, List<String> addHosts, List<String> dns,
                            String network, String userns, List<String> createCommand, String memory, String cpus,
                            String exitPolicy, boolean replace, String infraName, String infraImage) {
        this(name, publish, share, hostname, labels, infra, infraCommand, addHosts, dns, network, userns, createCommand, memory, cpus,
                exitPolicy, replace, infraName, infraImage, null);
    }

    /** The same request, its pod linked to the service container {@code id} (kube play --service-container). */
    public PodCreateRequest withServiceContainer(String id) {
        return new PodCreateRequest(name, publish, share, hostname, labels, infra, infraCommand, addHosts, dns, network, userns,
                createCommand, memory, cpus, exitPolicy, replace, infraName, infraImage, id);
    }

    /** Without --infra-image (the pause image). */
    public PodCreateRequest(String name, List<String> publish, String share, String hostname, Map<String, String> labels,
                            boolean infra, List<String> infraCommand, List<String> addHosts, List<String> dns,
                            String network, String userns, List<String> createCommand, String memory, String cpus,
                            String exitPolicy, boolean replace, String infraName) {
        this(name, publish, share, hostname, labels, infra, infraCommand, addHosts, dns, network, userns, createCommand, memory, cpus,
                exitPolicy, replace, infraName, null);
    }

    /** The same request with --infra-image (null: the pause image). */
    public PodCreateRequest withInfraImage(String image) {
        return new PodCreateRequest(name, publish, share, hostname, labels, infra, infraCommand, addHosts, dns, network, userns,
                createCommand, memory, cpus, exitPolicy, replace, infraName, image, serviceContainerId);
    }

    /** With podman's default exit policy, without --replace and --infra-name. */
    public PodCreateRequest(String name, List<String> publish, String share, String hostname, Map<String, String> labels,
                            boolean infra, List<String> infraCommand, List<String> addHosts, List<String> dns,
                            String network, String userns, List<String> createCommand, String memory, String cpus) {
        this(name, publish, share, hostname, labels, infra, infraCommand, addHosts, dns, network, userns, createCommand, memory, cpus,
                null, false, null);
    }

    /** The same request with another exit policy (kube play's "stop"). */
    public PodCreateRequest withExitPolicy(String policy) {
        return new PodCreateRequest(name, publish, share, hostname, labels, infra, infraCommand, addHosts, dns, network, userns,
                createCommand, memory, cpus, policy, replace, infraName, infraImage, serviceContainerId);
    }

    public PodCreateRequest {
        publish = publish == null ? List.of() : List.copyOf(publish);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        infraCommand = infraCommand == null ? List.of() : List.copyOf(infraCommand);
        addHosts = addHosts == null ? List.of() : List.copyOf(addHosts);
        dns = dns == null ? List.of() : List.copyOf(dns);
        createCommand = createCommand == null ? List.of() : List.copyOf(createCommand);
    }

    /** Without limits (kube play, run --pod new:NAME). */
    public PodCreateRequest(String name, List<String> publish, String share, String hostname, Map<String, String> labels,
                            boolean infra, List<String> infraCommand, List<String> addHosts, List<String> dns,
                            String network, String userns, List<String> createCommand) {
        this(name, publish, share, hostname, labels, infra, infraCommand, addHosts, dns, network, userns, createCommand, null, null);
    }

    /** Whether the pod gets a cgroup of its own (its containers' cgroups below it). */
    boolean limited() {
        return memory != null || cpus != null;
    }
}
