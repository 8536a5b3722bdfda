package io.jpod.engine.secret;

import java.time.Instant;
import java.util.Map;

/**
 * One secret as the front ends see it (podman's {@code entities.SecretInfoReport}, without the data): `secret ls`
 * rows, `secret inspect` and the id `create`/`rm` print are all rendered from it.
 */
public record SecretReport(String id, String name, String driver, Map<String, String> driverOptions,
                           Map<String, String> labels, Instant createdAt) {
    public SecretReport {
        driverOptions = driverOptions == null ? Map.of() : driverOptions;
        labels = labels == null ? Map.of() : labels;
    }
}
