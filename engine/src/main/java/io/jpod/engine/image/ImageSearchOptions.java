package io.jpod.engine.image;

import java.util.List;

/**
 * `search`'s options.
 *
 * @param term      what to look for: "REGISTRY/TERM" searches that registry, a term without one every search registry
 *                  of registries.conf (docker.io when none is configured); "REGISTRY/" lists the whole catalog
 * @param limit     results per registry (tags with listTags); 0: podman's default of 25
 * @param filters   podman's {@code --filter} values: {@code stars=N}, {@code is-official[=BOOL]}, {@code is-automated[=BOOL]}
 * @param listTags  the tags of the repository named by term instead of matching repositories
 * @param tlsVerify null: as registries.conf says (loopback registries answer plain HTTP anyway)
 * @param authfile  --authfile, or null for podman's default
 */
public record ImageSearchOptions(String term, int limit, List<String> filters, boolean listTags, Boolean tlsVerify, String authfile) {
    /** podman's (libimage's) number of results per registry when --limit is not given. */
    public static final int DEFAULT_LIMIT = 25;

    public ImageSearchOptions {
        filters = filters == null ? List.of() : List.copyOf(filters);
    }
}
