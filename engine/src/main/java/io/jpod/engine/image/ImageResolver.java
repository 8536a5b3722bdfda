package io.jpod.engine.image;

import io.jpod.engine.EngineException;
import io.jpod.engine.NoSuchImageException;
import io.jpod.image.ImageException;
import io.jpod.image.ImageProgressEvent;
import io.jpod.image.ImageReference;
import io.jpod.storage.ImageRecord;
import io.jpod.storage.Store;

import java.util.Optional;
import java.util.function.Consumer;

/** Finds an image in the store by id, id prefix or name, pulling it when the policy says so. */
public final class ImageResolver {
    private final Store store;
    private final java.nio.file.Path runRoot;
    private final java.util.Map<String, String> env;

    public ImageResolver(Store store, java.util.Map<String, String> env) {
        this(store, null, env);
    }

    /**
     * @param runRoot where pulls remember plain-HTTP registries; null: nowhere
     * @param env the caller's environment (registries.conf, credentials)
     */
    public ImageResolver(Store store, java.nio.file.Path runRoot, java.util.Map<String, String> env) {
        this.store = store;
        this.runRoot = runRoot;
        this.env = env;
    }

    public Optional<ImageRecord> local(String nameOrId) {
        if (nameOrId.startsWith("sha256:") && !nameOrId.matches("sha256:[0-9a-f]{3,64}")) {
            // as in podman, a sha256: prefix means an image id, never a repository named "sha256"
            throw new EngineException(nameOrId + ": invalid reference format: an image id is sha256: and 3 to 64 lowercase hex digits");
        }
        if (io.jpod.image.ImageTransports.parse(nameOrId).filter(io.jpod.image.ImageTransports.Reference::local).isPresent()) {
            return Optional.empty(); // docker-archive:FILE and the like are read from their file, never found in the store
        }
        Optional<ImageRecord> byId = nameOrId.matches("(sha256:)?[0-9a-f]{3,64}") ? store.images().get(nameOrId) : Optional.empty();
        if (byId.isPresent()) {
            return byId;
        }
        ImageReference ref;
        try {
            ref = ImageReference.parse(nameOrId);
        } catch (ImageException e) {
            return Optional.empty();
        }
        Optional<ImageRecord> found = store.images().get(ref.name());
        if (found.isPresent() || !io.jpod.image.RegistriesConf.isShortName(nameOrId)) {
            return found;
        }
        // a short name given to `jpod tag` (or built/imported locally) lives under localhost/, as in podman
        try {
            Optional<ImageRecord> local = store.images().get(ImageReference.parse("localhost/" + nameOrId).name());
            if (local.isPresent()) {
                return local;
            }
        } catch (ImageException e) {
            // not a name that can live under localhost/
        }
        // a short name pulled through an alias or a search registry is stored under its qualified name
        for (ImageReference candidate : io.jpod.image.RegistriesConf.load(env).candidates(nameOrId)) {
            Optional<ImageRecord> c = store.images().get(candidate.name());
            if (c.isPresent()) {
                return c;
            }
        }
        return Optional.empty();
    }

    /** @param progress the pull's events (the caller renders them); null: nowhere */
    public ImageRecord resolve(String nameOrId, PullPolicy policy, boolean tlsVerify, String platform, boolean quiet,
                               Consumer<ImageProgressEvent> progress) {
        io.jpod.image.Platform wanted = platform == null || platform.isBlank() ? null : io.jpod.image.Platform.parse(platform);
        if (policy != PullPolicy.ALWAYS) {
            Optional<ImageRecord> found = local(nameOrId);
            if (found.isPresent() && (wanted == null || ofPlatform(found.get(), wanted))) {
                return found.get();
            }
            if (found.isPresent() && policy == PullPolicy.NEVER) {
                throw new EngineException("image " + nameOrId + " in local storage is not for platform " + wanted
                        + ", and --pull=never forbids pulling it");
            }
            if (policy == PullPolicy.NEVER) {
                throw new NoSuchImageException(nameOrId); // podman's words; --pull=never is what the user asked for
            }
        }
        return pull(nameOrId, tlsVerify, platform, quiet, progress);
    }

    /** As podman: a local image of another platform than --platform asks for does not count as present. */
    private boolean ofPlatform(ImageRecord image, io.jpod.image.Platform wanted) {
        io.jpod.image.ImageConfig config = io.jpod.image.ImageConfig.parse(store.images().config(image.id()), image.id());
        return wanted.matches(config.os(), config.architecture(), config.variant());
    }

    /** @param progress the pull's events (warnings even when quiet); null: nowhere */
    public ImageRecord pull(String name, boolean tlsVerify, String platform, boolean quiet, Consumer<ImageProgressEvent> progress) {
        // short names, mirrors and credentials as `jpod pull` resolves them
        return new ImageCommands(store, env, runRoot).pull(name, tlsVerify, platform, quiet, progress, null, null);
    }
}
