package io.jpod.engine.image;

/**
 * `login`'s options.
 *
 * @param authfile  --authfile, or null for podman's default
 * @param tlsVerify whether the registry's certificate is verified
 */
public record ImageLoginOptions(String registry, String username, String password, String authfile, boolean tlsVerify) {
    @Override
    public String toString() { // never the password in a log or a stack trace
        return "ImageLoginOptions[registry=" + registry + ", username=" + username + ", authfile=" + authfile + ", tlsVerify=" + tlsVerify + "]";
    }
}
