package io.jpod.image;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/** Registry credentials for one registry. How they are found (auth.json, helpers) is not this class's business. */
public record Credentials(String username, String password) {
    public Credentials {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
    }

    /** The value of an {@code Authorization: Basic} header. */
    public String basicAuthorization() {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Never print the password, not even in a debug dump. */
    @Override
    public String toString() {
        return "Credentials[username=" + username + ", password=***]";
    }
}
