package io.jpod.engine.secret;

import java.util.List;

/**
 * The engine's front door for secrets: what `jpod secret …` calls. Options in, reports out; the CLI renders the
 * reports (table, Go template, podman's inspect JSON).
 */
public interface SecretService {
    /** `secret create`: the new secret. */
    SecretReport create(SecretCreateOptions options);

    /** Every secret, in the store's order. */
    List<SecretReport> list();

    /** One secret by name or id; {@link NoSuchSecretException} when there is none. */
    SecretReport inspect(String nameOrId);

    boolean exists(String nameOrId);

    /** `secret rm`: the removed secret; {@link NoSuchSecretException} when there is none. */
    SecretReport remove(String nameOrId);
}
