package io.jpod.engine.secret;

import io.jpod.engine.EngineException;
import io.jpod.storage.SecretStore;
import io.jpod.storage.SecretStore.SecretRecord;
import io.jpod.storage.Store;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * `jpod secret …`: podman's secrets with its file driver (the data unencrypted in the store, {@link SecretStore}).
 * Names, ids (25 hex digits), limits and messages are podman's.
 */
public final class Secrets {
    /** podman's limit on a secret's data. */
    static final int MAX_SIZE = 512000;
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9](?:[a-zA-Z0-9_.-]{0,62}[a-zA-Z0-9])?");

    private final Store store;
    private final SecretStore secrets;

    public Secrets(Store store) {
        this.store = store;
        this.secrets = new SecretStore(store.root());
    }

    /** Creates a secret; its record. */
    public SecretRecord create(String name, byte[] data, String driver, Map<String, String> labels) {
        if (!NAME.matcher(name).matches()) {
            throw new EngineException("only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]: "
                    + name + ": invalid secret name");
        }
        if (driver != null && !driver.isEmpty() && !driver.equals("file")) {
            throw new EngineException("the " + driver + " secret driver is not supported: jpod keeps secrets with the file driver (--driver file)");
        }
        if (data.length == 0 || data.length >= MAX_SIZE) {
            throw new EngineException("secret data must be larger than 0 and less than " + MAX_SIZE + " bytes");
        }
        byte[] raw = new byte[13];
        new SecureRandom().nextBytes(raw);
        String id = HexFormat.of().formatHex(raw).substring(0, 25);
        SecretRecord r = new SecretRecord(name, id, labels, Instant.now(), "file",
                Map.of("path", secrets.driverDir().toString()));
        boolean made = store.locked(() -> secrets.create(r, data));
        if (!made) {
            throw new EngineException(name + ": secret name in use");
        }
        return r;
    }

    public SecretRecord get(String nameOrId) {
        return secrets.get(nameOrId).orElseThrow(() -> new NoSuchSecretException(nameOrId));
    }

    public boolean exists(String nameOrId) {
        return secrets.get(nameOrId).isPresent();
    }

    public List<SecretRecord> list() {
        return secrets.list();
    }

    public byte[] data(SecretRecord r) {
        return secrets.data(r.id());
    }

    /** Removes the secret; its record as it was. */
    public SecretRecord remove(String nameOrId) {
        return store.locked(() -> {
            SecretRecord r = get(nameOrId);
            secrets.remove(r.id());
            return r;
        });
    }
}
