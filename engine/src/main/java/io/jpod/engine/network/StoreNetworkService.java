package io.jpod.engine.network;

import io.jpod.engine.EngineException;
import io.jpod.storage.ContainerRecord;
import io.jpod.storage.NetworkLease;
import io.jpod.storage.NetworkRecord;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/** {@link NetworkService} over the store's networks ({@link Networks}) and the bridges in the user's network namespace. */
public final class StoreNetworkService implements NetworkService {
    /** What the network commands need of the containers (the container subject's business, handed in by the engine). */
    public interface Containers {
        /** One container, its state reconciled with reality. */
        ContainerRecord current(String idOrName);

        /** Every container in the store. */
        List<ContainerRecord> all();

        /** The pid of a running container's first process. */
        long initPid(ContainerRecord c);

        /** Removes a container on a network that `network rm -f` removes. */
        void remove(String id, int stopSeconds);

        /** The bridges and rules in the user's network namespace. */
        BridgeNetworking bridge();
    }

    private final Networks networks;
    private final Containers containers;

    public StoreNetworkService(Networks networks, Containers containers) {
        this.networks = networks;
        this.containers = containers;
    }

    @Override
    public NetworkReport create(NetworkCreateOptions options) {
        return NetworkReport.of(networks.create(options));
    }

    @Override
    public List<NetworkReport> list(Predicate<NetworkReport> filter) {
        return networks.list().stream().map(NetworkReport::of).filter(filter).toList();
    }

    @Override
    public Optional<NetworkReport> find(String nameOrId) {
        return networks.get(nameOrId).map(NetworkReport::of);
    }

    @Override
    public List<String> containers(String name) {
        return networks.containers(name);
    }

    @Override
    public NetworkReport remove(String nameOrId, NetworkRemoveOptions options) {
        NetworkRecord n = networks.remove(nameOrId, options.force(), id -> containers.remove(id, options.stopSeconds()));
        containers.bridge().removeNetwork(n);
        return NetworkReport.of(n);
    }

    @Override
    public NetworkPruneReport prune(Predicate<NetworkReport> filter) {
        List<String> names = new ArrayList<>();
        for (NetworkRecord n : networks.prune(r -> filter.test(NetworkReport.of(r)))) {
            containers.bridge().removeNetwork(n);
            names.add(n.name());
        }
        return new NetworkPruneReport(names);
    }

    @Override
    public void connect(String network, String container, NetworkConnectOptions options) {
        ContainerRecord c = containers.current(container);
        String mode = c.lifecycle() == null || c.lifecycle().config() == null ? null : c.lifecycle().config().network();
        if (!BridgeNetworking.isBridge(mode)) {
            throw new EngineException("container " + c.name() + " uses --network " + (mode == null ? "slirp4netns" : mode)
                    + ": network connect needs a container on a bridge network (run it with --network bridge or NAME)");
        }
        Map.Entry<NetworkRecord, NetworkLease> joined = networks.lease(c.id(), c.name(),
                List.of(new Networks.Join(network, options.aliases(), options.ip()))).get(0);
        BridgeNetworking bridge = containers.bridge();
        if (c.state() == io.jpod.storage.ContainerState.RUNNING) {
            try {
                bridge.attachRunning(containers.initPid(c), joined.getKey(), joined.getValue());
            } catch (RuntimeException e) {
                networks.release(c.id(), joined.getKey().name());
                throw e;
            }
        }
        bridge.writeDns(joined.getKey(), networks.leases(joined.getKey().name()));
    }

    @Override
    public void disconnect(String network, String container) {
        ContainerRecord c = containers.current(container);
        NetworkRecord net = networks.require(network);
        Map.Entry<NetworkRecord, NetworkLease> lease = networks.leasesOf(c.id()).stream()
                .filter(e -> e.getKey().name().equals(net.name())).findFirst()
                .orElseThrow(() -> new EngineException("container " + c.id() + " is not connected to network " + net.name()
                        + ": network is not connected"));
        BridgeNetworking bridge = containers.bridge();
        if (c.state() == io.jpod.storage.ContainerState.RUNNING) {
            bridge.detachRunning(lease.getValue());
        }
        networks.release(c.id(), net.name());
        bridge.writeDns(net, networks.leases(net.name()));
    }

    @Override
    public List<String> reload(List<String> names, boolean all) {
        List<ContainerRecord> targets = new ArrayList<>();
        if (all) {
            for (ContainerRecord c : containers.all()) {
                if (containers.current(c.id()).state() == io.jpod.storage.ContainerState.RUNNING) {
                    targets.add(c);
                }
            }
        } else {
            for (String c : names) {
                targets.add(containers.current(c));
            }
        }
        BridgeNetworking bridge = containers.bridge();
        Set<String> done = new HashSet<>();
        List<String> ids = new ArrayList<>();
        for (ContainerRecord c : targets) {
            for (Map.Entry<NetworkRecord, NetworkLease> e : networks.leasesOf(c.id())) {
                if (done.add(e.getKey().name())) {
                    bridge.reloadRules(e.getKey());
                    bridge.writeDns(e.getKey(), networks.leases(e.getKey().name()));
                }
            }
            ids.add(c.id());
        }
        return ids;
    }
}
