package io.jpod.engine;

import io.jpod.image.ImageException;
import io.jpod.image.ImageReference;
import io.jpod.storage.ImageRecord;
import io.jpod.storage.Store;

import java.io.PrintStream;
import java.util.Optional;

/** Finds an image in the store by id, id prefix or name, pulling it when the policy says so. */
final class ImageResolver {
    private final Store store;
    private final java.nio.file.Path runRoot;

    ImageResolver(Store store) {
        this(store, null);
    }

    /** @param runRoot where pulls remember plain-HTTP registries; null: nowhere */
    ImageResolver(Store store, java.nio.file.Path runRoot) {
        this.store = store;
        this.runRoot = runRoot;
    }

    Optional<ImageRecord> local(String nameOrId) {
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
        for (ImageReference candidate : io.jpod.image.RegistriesConf.load(System.getenv()).candidates(nameOrId)) {
            Optional<ImageRecord> c = store.images().get(candidate.name());
            if (c.isPresent()) {
                return c;
            }
        }
        return Optional.empty();
    }

    ImageRecord resolve(String nameOrId, PullPolicy policy, boolean tlsVerify, String platform, boolean quiet, PrintStream progress) {
        if (policy != PullPolicy.ALWAYS) {
            Optional<ImageRecord> found = local(nameOrId);
            if (found.isPresent()) {
                return found.get();
            }
            if (policy == PullPolicy.NEVER) {
                throw new NoSuchImageException(nameOrId); // podman's words; --pull=never is what the user asked for
            }
        }
        return pull(nameOrId, tlsVerify, platform, quiet, progress);
    }

    ImageRecord pull(String name, boolean tlsVerify, String platform, boolean quiet, PrintStream progress) {
        // short names, mirrors and credentials as `jpod pull` resolves them
        return new ImageCommands(store, System.getenv(), runRoot).pull(name, tlsVerify, platform, quiet, progress, null, null);
    }
}
