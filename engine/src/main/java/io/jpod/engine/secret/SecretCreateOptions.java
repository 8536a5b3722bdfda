package io.jpod.engine.secret;

import java.util.Map;

/** `secret create`: the name, the data the caller read (file, stdin or environment), the driver asked for, labels. */
public record SecretCreateOptions(String name, byte[] data, String driver, Map<String, String> labels) {
}
