package io.jpod.engine;

import io.jpod.image.AuthStore;
import io.jpod.image.Credentials;
import io.jpod.image.ImagePuller;
import io.jpod.image.ImageReference;
import io.jpod.image.PullOptions;
import io.jpod.image.ImageException;
import io.jpod.image.RegistriesConf;
import io.jpod.image.RegistryClient;
import io.jpod.storage.ImageRecord;
import io.jpod.storage.Store;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/** The image commands behind {@link Engine}: pull with credentials, login/logout, and the local image management. */
final class ImageCommands {
    private final Store store;
    private final Map<String, String> env;

    ImageCommands(Store store, Map<String, String> env) {
        this.store = store;
        this.env = env;
    }

    /**
     * @param creds    "USER:PASS" from --creds, or null to look in the auth files
     * @param authfile --authfile, or null for podman's default search
     */
    ImageRecord pull(String name, boolean tlsVerify, String platform, boolean quiet, PrintStream progress, String creds, String authfile) {
        RegistriesConf conf = RegistriesConf.isShortName(name) || hasRegistriesConf() ? RegistriesConf.load(env) : RegistriesConf.empty();
        List<ImageReference> candidates = conf.candidates(name);
        boolean searched = RegistriesConf.isShortName(name) && !conf.searchRegistries().isEmpty() && candidates.size() > 1;
        PrintStream say = quiet ? null : progress;
        if (searched && say != null) {
            say.println("Resolving \"" + name + "\" using unqualified-search registries ("
                    + String.join(", ", conf.searchRegistries()) + ")");
        }
        PullOptions options = new PullOptions(tlsVerify, platform, quiet, progress);
        List<String> tried = new ArrayList<>();
        ImageException last = null;
        for (ImageReference candidate : candidates) {
            List<RegistriesConf.Endpoint> endpoints;
            try {
                endpoints = conf.endpoints(candidate);
            } catch (ImageException blocked) {
                last = blocked;
                tried.add(candidate.name() + " (blocked)");
                continue;
            }
            for (RegistriesConf.Endpoint ep : endpoints) {
                try {
                    ImageRecord rec = new ImagePuller(store, options, credentials(ep.ref(), creds, authfile))
                            .pull(ep.ref(), candidate, tlsVerify && !ep.insecure());
                    if (say != null && (searched || ep.mirror())) {
                        say.println("Resolved \"" + name + "\" to " + candidate.name()
                                + (ep.mirror() ? " (served by mirror " + ep.ref().registry() + ")" : ""));
                    }
                    return rec;
                } catch (ImageException e) {
                    last = e;
                    tried.add(ep.ref().name());
                }
            }
        }
        if (tried.size() <= 1 && last != null) {
            throw last;
        }
        throw new ImageException("cannot pull \"" + name + "\": tried " + String.join(", ", tried) + "; last error: " + last.getMessage());
    }

    /** Whether any registries.conf exists that could rewrite a fully qualified name (mirrors, blocked, location). */
    private boolean hasRegistriesConf() {
        return !RegistriesConf.files(env).isEmpty();
    }

    Supplier<Credentials> credentials(ImageReference ref, String creds, String authfile) {
        Credentials explicit = parseCreds(creds);
        if (explicit != null) {
            return () -> explicit;
        }
        return AuthStore.of(env, authfile).lazy(ref);
    }

    /** podman's --creds: "USER:PASS" ("USER" alone would prompt there; jpod has no prompt, so it is refused). */
    static Credentials parseCreds(String creds) {
        if (creds == null) {
            return null;
        }
        int colon = creds.indexOf(':');
        if (colon <= 0) {
            throw new EngineException("--creds must be USERNAME:PASSWORD");
        }
        return new Credentials(creds.substring(0, colon), creds.substring(colon + 1));
    }

    /** Checks the credentials against the registry (GET /v2/), then stores them; returns the file written. */
    static Path login(Map<String, String> env, String registry, Credentials credentials, String authfile, boolean tlsVerify) {
        String key = registryKey(registry);
        ImageReference probe = new ImageReference(hostOf(key), key.contains("/") ? key.substring(key.indexOf('/') + 1) : "jpod/login",
                "latest", null);
        try (RegistryClient client = new RegistryClient(probe, tlsVerify, credentials)) {
            client.checkLogin();
        }
        Path file = AuthStore.loginFile(env, authfile);
        AuthStore.store(file, key, credentials);
        return file;
    }

    /** Removes the entry of {@code registry} (all entries when null); false if there was none. */
    static boolean logout(Map<String, String> env, String registry, String authfile) {
        Path file = AuthStore.loginFile(env, authfile);
        return AuthStore.remove(file, registry == null ? null : registryKey(registry));
    }

    /** "https://Reg:5000/ns/" → "reg:5000/ns"; "docker.io" and its aliases → "docker.io". */
    static String registryKey(String registry) {
        String r = registry.trim();
        int scheme = r.indexOf("://");
        if (scheme >= 0) {
            r = r.substring(scheme + 3);
        }
        while (r.endsWith("/")) {
            r = r.substring(0, r.length() - 1);
        }
        if (r.isEmpty()) {
            throw new EngineException("no registry given; e.g. jpod login registry.example.com");
        }
        String host = hostOf(r).toLowerCase(Locale.ROOT);
        if (host.equals("index.docker.io") || host.equals(ImageReference.DOCKER_HUB_API_HOST)) {
            host = ImageReference.DOCKER_HUB;
        }
        if (r.endsWith("/v1") || r.endsWith("/v2")) {
            r = r.substring(0, r.length() - 3);
        }
        int slash = r.indexOf('/');
        return slash < 0 ? host : host + r.substring(slash);
    }

    private static String hostOf(String key) {
        int slash = key.indexOf('/');
        return slash < 0 ? key : key.substring(0, slash);
    }

}
