package io.jpod.engine.network;

import io.jpod.engine.EngineException;

import io.jpod.rootless.ContainerSpec;
import io.jpod.storage.NetworkLease;
import io.jpod.storage.NetworkRecord;
import io.jpod.storage.PodRecord;
import io.jpod.storage.Store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Pods on user networks ({@code pod create --network NAME}): the infra holds the pod's network namespace, so the
 * address on each network is the infra's, leased under the infra's id and named by the pod's name. The network's
 * name server therefore answers the pod's name with it (as podman's infra answers to its pod's name), and every
 * container of the pod, sharing that namespace, is reached by it. The lease lives from the pod's first start (or
 * its first container's create) until `pod rm`.
 */
public final class PodNetworks {
    private PodNetworks() {
    }

    /** Whether the pod's shared network namespace is on user networks. */
    public static boolean onUserNetwork(PodRecord pod) {
        return pod.infraId() != null && pod.share().contains("net") && pod.network() != null && BridgeNetworking.isBridge(pod.network());
    }

    /** At `pod create`: the networks exist (podman's "network not found"), and nothing asked that jpod cannot do there. */
    public static void checkCreate(Store store, String network, List<String> publish) {
        if (network == null || !BridgeNetworking.isBridge(network)) {
            return;
        }
        Networks networks = new Networks(store);
        BridgeNetworking.names(network).forEach(networks::require);
        if (!publish.isEmpty()) {
            throw new EngineException("-p: publishing ports of a pod on a user network is not supported;"
                    + " publish them from a container on the network (run --network " + network + " -p …)");
        }
    }

    /** The infra's addresses, leased now if it has none (under the store lock: concurrent creates lease once). */
    public static List<Map.Entry<NetworkRecord, NetworkLease>> ensureLeases(Store store, PodRecord pod) {
        Networks networks = new Networks(store);
        return store.locked(() -> {
            List<Map.Entry<NetworkRecord, NetworkLease>> have = networks.leasesOf(pod.infraId());
            if (!have.isEmpty()) {
                return have;
            }
            List<Networks.Join> joins = new ArrayList<>();
            for (String n : BridgeNetworking.names(pod.network())) {
                joins.add(new Networks.Join(n, List.of(), null));
            }
            return networks.lease(pod.infraId(), pod.name(), joins);
        });
    }

    /** The helper's records for the infra's start: the holder and a veth per network (none off user networks). */
    public static List<ContainerSpec.Extra> infraRecords(Store store, BridgeNetworking bridge, PodRecord pod) {
        if (!onUserNetwork(pod)) {
            return List.of();
        }
        Networks networks = new Networks(store);
        return bridge.launchRecords(ensureLeases(store, pod), networks::leases);
    }

    /** At `pod rm`: the infra's addresses go back, and the pod's name leaves the name servers. */
    public static void release(Store store, BridgeNetworking bridge, PodRecord pod) {
        if (pod.infraId() == null) {
            return;
        }
        Networks networks = new Networks(store);
        List<Map.Entry<NetworkRecord, NetworkLease>> had = networks.leasesOf(pod.infraId());
        if (had.isEmpty()) {
            return;
        }
        networks.release(pod.infraId(), null);
        for (var e : had) {
            bridge.writeDns(e.getKey(), networks.leases(e.getKey().name()));
        }
    }

    /** Whether an id is the infra of an existing pod (its leases are not a removed container's). */
    static boolean isInfra(Store store, String id) {
        return store.pods().list().stream().anyMatch(p -> id.equals(p.infraId()));
    }

    /** The pods whose shared network is on the named network. */
    static List<String> podsOn(Store store, String network) {
        List<String> out = new ArrayList<>();
        for (PodRecord p : store.pods().list()) {
            if (onUserNetwork(p) && BridgeNetworking.names(p.network()).contains(network)) {
                out.add(p.name());
            }
        }
        return out;
    }
}
