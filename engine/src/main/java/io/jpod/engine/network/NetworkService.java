package io.jpod.engine.network;

import java.util.List;
import java.util.function.Predicate;

/**
 * The engine's front door for user networks: what `jpod network …` calls. Options in, reports out; the CLI renders
 * the reports (table, Go template, JSON).
 */
public interface NetworkService {
    NetworkReport create(NetworkCreateOptions options);

    /** Every network {@code filter} takes (the default network first). */
    List<NetworkReport> list(Predicate<NetworkReport> filter);

    /** The network of that name or id (a unique id prefix), if there is one. */
    java.util.Optional<NetworkReport> find(String nameOrId);

    /** The containers that have an address on the network. */
    List<String> containers(String name);

    /**
     * `network rm`: the network's record, then its bridge and rules in the user's network namespace; the removed
     * network. {@link NoSuchNetworkException}, or {@link NetworkInUseException} without force.
     */
    NetworkReport remove(String nameOrId, NetworkRemoveOptions options);

    /** `network prune`: every unused user network {@code filter} takes, bridges included. */
    NetworkPruneReport prune(Predicate<NetworkReport> filter);

    /**
     * `network connect`: an address on the network (and its name server's names) for a container on user networks;
     * a running one gets its new interface at once, a stopped one at its next start.
     */
    void connect(String network, String container, NetworkConnectOptions options);

    /** `network disconnect`: the container's address on the network goes, and its interface if it runs. */
    void disconnect(String network, String container);

    /**
     * `network reload`: the forwarding, NAT and name-server state of the containers' networks is applied again;
     * the containers' ids, as podman prints them.
     */
    List<String> reload(List<String> containers, boolean all);
}
