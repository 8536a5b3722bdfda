package io.jpod.storage;

import com.fasterxml.jackson.core.type.TypeReference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * User-defined networks under the storage root: {@code networks/<name>/network.json} (the record) and
 * {@code networks/<name>/leases.json} (the addresses given out). Every write is atomic (temp file, fsync, rename);
 * callers that read-modify-write hold the store lock ({@link Store#locked}), so two concurrent `run`s never lease
 * the same address. A directory without network.json (a create killed half-way) is not a network.
 */
public final class NetworkStore {
    private static final TypeReference<List<NetworkLease>> LEASES = new TypeReference<>() {
    };
    private final Path dir;

    public NetworkStore(Path storageRoot) {
        this.dir = storageRoot.resolve("networks");
    }

    /** Writes a new network's record; false when one of that name exists. Call under the store lock. */
    public boolean create(NetworkRecord r) {
        Path n = dir.resolve(r.name());
        try {
            if (Files.isRegularFile(n.resolve("network.json"))) {
                return false;
            }
            Files.createDirectories(n);
            Fs.writeAtomic(n.resolve("network.json"), Json.bytes(r));
            return true;
        } catch (IOException e) {
            throw new StorageException("cannot create network " + r.name() + " in " + dir + ": " + Fs.describe(e), e);
        }
    }

    public Optional<NetworkRecord> get(String name) {
        if (name.isEmpty() || name.contains("/") || name.startsWith(".")) {
            return Optional.empty();
        }
        return Optional.ofNullable(Json.read(dir.resolve(name).resolve("network.json"), NetworkRecord.class));
    }

    public List<NetworkRecord> list() {
        List<NetworkRecord> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                get(p.getFileName().toString()).ifPresent(out::add);
            }
        } catch (IOException e) {
            throw new StorageException("cannot list networks in " + dir + ": " + Fs.describe(e), e);
        }
        out.sort(Comparator.comparing(NetworkRecord::name));
        return out;
    }

    /** The network's leases (empty when none). */
    public List<NetworkLease> leases(String name) {
        List<NetworkLease> l = Json.read(dir.resolve(name).resolve("leases.json"), LEASES);
        return l == null ? List.of() : l;
    }

    /** Replaces the network's leases. Call under the store lock. */
    public void writeLeases(String name, List<NetworkLease> leases) {
        try {
            Files.createDirectories(dir.resolve(name)); // the default network has leases but no record
            Fs.writeAtomic(dir.resolve(name).resolve("leases.json"), Json.bytes(leases));
        } catch (IOException e) {
            throw new StorageException("cannot record the addresses of network " + name + ": " + Fs.describe(e), e);
        }
    }

    /** Deletes the network: renamed aside first, so a half-deleted one never looks like a network. */
    public void remove(String name) {
        Path n = dir.resolve(name);
        try {
            Path doomed = dir.resolve("." + name + ".removing-" + Fs.randomHex(8));
            Files.move(n, doomed);
            Fs.deleteTree(doomed);
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            throw new StorageException("cannot remove network " + name + ": " + Fs.describe(e), e);
        }
    }
}
