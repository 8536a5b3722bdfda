package io.jpod.engine;

import io.jpod.image.Credentials;
import io.jpod.image.ImagePuller;
import io.jpod.image.ImageReference;
import io.jpod.image.PullOptions;
import io.jpod.storage.ImageRecord;
import io.jpod.storage.Store;

import java.io.PrintStream;

/** The image commands behind {@link Engine}: pull with credentials, and (later) the local image management. */
final class ImageCommands {
    private final Store store;

    ImageCommands(Store store) {
        this.store = store;
    }

    /** @param creds "USER:PASS" from --creds, or null for anonymous access */
    ImageRecord pull(String name, boolean tlsVerify, String platform, boolean quiet, PrintStream progress, String creds) {
        ImageReference ref = ImageReference.parse(name);
        return new ImagePuller(store, new PullOptions(tlsVerify, platform, quiet, progress), parseCreds(creds)).pull(ref);
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
}
