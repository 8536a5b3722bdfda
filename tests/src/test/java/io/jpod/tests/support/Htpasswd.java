package io.jpod.tests.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.mindrot.jbcrypt.BCrypt;

/** docker-registry configuration for basic auth with one user, from an htpasswd file (bcrypt) written for the test. */
public final class Htpasswd {
    private Htpasswd() {
    }

    /** The `auth:` section to pass as a {@link LocalRegistry}'s extra configuration. */
    public static String registryConfig(String user, String password) {
        try {
            Path file = Files.createTempFile("jpod-htpasswd-", "");
            Files.writeString(file, user + ":" + BCrypt.hashpw(password, BCrypt.gensalt(5)) + "\n");
            file.toFile().deleteOnExit();
            return """
                    auth:
                      htpasswd:
                        realm: jpod-test
                        path: %s
                    """.formatted(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
