package io.jpod.storage;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Secrets in podman's file-driver layout under the storage root, so the two read the same shapes:
 * {@code secrets/secrets.json} (the index: {@code secrets} by id, {@code nameToID}, {@code idToName}) and
 * {@code secrets/filedriver/secretsdata.json} (id → base64 data, 0600 in a 0700 directory; the file driver stores
 * secrets unencrypted, as podman's does). Writes are atomic; callers that read-modify-write hold the store lock.
 */
public final class SecretStore {
    private static final TypeReference<Map<String, String>> DATA = new TypeReference<>() {
    };
    private final Path dir;

    public SecretStore(Path storageRoot) {
        this.dir = storageRoot.resolve("secrets");
    }

    /** The directory the file driver keeps the data in (podman's `path` driver option). */
    public Path driverDir() {
        return dir.resolve("filedriver");
    }

    /** One secret as podman's index records it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SecretRecord(@JsonProperty("name") String name, @JsonProperty("id") String id,
                               @JsonProperty("labels") @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> labels,
                               @JsonProperty("createdAt") Instant createdAt, @JsonProperty("driver") String driver,
                               @JsonProperty("driverOptions") Map<String, String> driverOptions) {
        public SecretRecord {
            labels = labels == null ? Map.of() : Map.copyOf(labels);
            driverOptions = driverOptions == null ? Map.of() : driverOptions;
        }
    }

    /** podman's secrets.json. */
    record Index(@JsonProperty("secrets") Map<String, SecretRecord> secrets, @JsonProperty("nameToID") Map<String, String> nameToId,
                 @JsonProperty("idToName") Map<String, String> idToName) {
        Index {
            secrets = secrets == null ? new LinkedHashMap<>() : new LinkedHashMap<>(secrets);
            nameToId = nameToId == null ? new LinkedHashMap<>() : new LinkedHashMap<>(nameToId);
            idToName = idToName == null ? new LinkedHashMap<>() : new LinkedHashMap<>(idToName);
        }
    }

    private Index index() {
        Index i = Json.read(dir.resolve("secrets.json"), Index.class);
        return i == null ? new Index(null, null, null) : i;
    }

    public List<SecretRecord> list() {
        List<SecretRecord> out = new ArrayList<>(index().secrets().values());
        out.sort(Comparator.comparing(SecretRecord::createdAt, Comparator.nullsFirst(Comparator.naturalOrder())));
        return out;
    }

    /** By full name, full id or a unique id prefix (podman's lookup order). */
    public Optional<SecretRecord> get(String nameOrId) {
        Index i = index();
        String id = i.nameToId().get(nameOrId);
        if (id != null) {
            return Optional.ofNullable(i.secrets().get(id));
        }
        if (i.secrets().containsKey(nameOrId)) {
            return Optional.of(i.secrets().get(nameOrId));
        }
        List<SecretRecord> byPrefix = i.secrets().values().stream().filter(s -> !nameOrId.isEmpty() && s.id().startsWith(nameOrId)).toList();
        return byPrefix.size() == 1 ? Optional.of(byPrefix.get(0)) : Optional.empty();
    }

    /** Adds a secret with its data; false when the name is taken. Call under the store lock. */
    public boolean create(SecretRecord r, byte[] data) {
        Index i = index();
        if (i.nameToId().containsKey(r.name())) {
            return false;
        }
        try {
            Files.createDirectories(driverDir(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Map<String, String> all = new LinkedHashMap<>(readData());
            all.put(r.id(), Base64.getEncoder().encodeToString(data));
            writeData(all); // the data first: an index entry never names missing data
            i.secrets().put(r.id(), r);
            i.nameToId().put(r.name(), r.id());
            i.idToName().put(r.id(), r.name());
            Fs.writeAtomic(dir.resolve("secrets.json"), Json.bytes(i));
            return true;
        } catch (IOException e) {
            throw new StorageException("cannot create secret " + r.name() + " in " + dir + ": " + Fs.describe(e), e);
        }
    }

    /** The secret's data. */
    public byte[] data(String id) {
        String b64 = readData().get(id);
        if (b64 == null) {
            throw new StorageException("the data of secret " + id + " is missing from " + driverDir().resolve("secretsdata.json")
                    + "; remove the secret and create it again");
        }
        return Base64.getDecoder().decode(b64);
    }

    /** Removes the secret and its data. Call under the store lock. */
    public void remove(String id) {
        Index i = index();
        SecretRecord r = i.secrets().remove(id);
        if (r == null) {
            return;
        }
        i.nameToId().remove(r.name());
        i.idToName().remove(id);
        try {
            Fs.writeAtomic(dir.resolve("secrets.json"), Json.bytes(i)); // the index first: no entry without data
            Map<String, String> all = new LinkedHashMap<>(readData());
            all.remove(id);
            writeData(all);
        } catch (IOException e) {
            throw new StorageException("cannot remove secret " + r.name() + ": " + Fs.describe(e), e);
        }
    }

    private Map<String, String> readData() {
        Map<String, String> m = Json.read(driverDir().resolve("secretsdata.json"), DATA);
        return m == null ? Map.of() : m;
    }

    private void writeData(Map<String, String> all) throws IOException {
        Path f = driverDir().resolve("secretsdata.json");
        Fs.writeAtomic(f, Json.bytes(all));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    }
}
