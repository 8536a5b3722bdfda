package io.jpod.engine.image;

import java.util.List;

/**
 * `import`'s options.
 *
 * @param changes   --change Dockerfile instructions applied to the config
 * @param message   --message, the history comment
 * @param reference the name to give the image, or null
 */
public record ImageImportOptions(List<String> changes, String message, String reference) {
    public ImageImportOptions {
        changes = changes == null ? List.of() : List.copyOf(changes);
    }
}
