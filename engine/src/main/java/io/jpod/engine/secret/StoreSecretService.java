package io.jpod.engine.secret;

import io.jpod.storage.SecretStore.SecretRecord;

import java.util.List;

/** {@link SecretService} over the store's secrets ({@link Secrets}, podman's file driver). */
public final class StoreSecretService implements SecretService {
    private final Secrets secrets;

    public StoreSecretService(Secrets secrets) {
        this.secrets = secrets;
    }

    @Override
    public SecretReport create(SecretCreateOptions o) {
        return report(secrets.create(o.name(), o.data(), o.driver(), o.labels()));
    }

    @Override
    public List<SecretReport> list() {
        return secrets.list().stream().map(StoreSecretService::report).toList();
    }

    @Override
    public SecretReport inspect(String nameOrId) {
        return report(secrets.get(nameOrId));
    }

    @Override
    public boolean exists(String nameOrId) {
        return secrets.exists(nameOrId);
    }

    @Override
    public SecretReport remove(String nameOrId) {
        return report(secrets.remove(nameOrId));
    }

    static SecretReport report(SecretRecord r) {
        return new SecretReport(r.id(), r.name(), r.driver(), r.driverOptions(), r.labels(), r.createdAt());
    }
}
