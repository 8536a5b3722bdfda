package io.jpod.engine.image;

import io.jpod.engine.EngineException;
import io.jpod.image.AuthStore;
import io.jpod.image.ImageException;
import io.jpod.image.ImageReference;
import io.jpod.image.RegistriesConf;
import io.jpod.image.RegistryClient;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * `search` against registries: a registry's v2 catalog filtered by the term (a v2 registry has no search of its
 * own), Docker Hub's v1 search API (Docker Hub has no catalog), or with --list-tags a repository's tags. A term
 * without a registry is searched in each search registry of registries.conf; the search fails only when every
 * registry failed, as podman's does.
 */
final class RegistrySearch {
    /** Docker Hub's search API lives on the index host, not on the registry API's host. */
    private static final String DOCKER_HUB_INDEX = "index.docker.io";

    private final Map<String, String> env;

    RegistrySearch(Map<String, String> env) {
        this.env = env;
    }

    List<ImageSearchReport> search(ImageSearchOptions o) {
        if (o.listTags() && !o.filters().isEmpty()) {
            throw new EngineException("filters are not applicable to list tags result");
        }
        if (o.limit() < 0) {
            throw new EngineException("limit " + o.limit() + " is outside the range of [1, " + Integer.MAX_VALUE + "]");
        }
        ImageSearchFilter filter = ImageSearchFilter.parse(o.filters());
        int limit = o.limit() == 0 ? ImageSearchOptions.DEFAULT_LIMIT : o.limit();
        RegistriesConf conf = RegistriesConf.load(env);
        String term = o.term();
        List<String> registries;
        String inRegistry;
        if (RegistriesConf.isShortName(term) && !term.endsWith("/")) {
            registries = conf.searchRegistries().isEmpty() ? List.of(ImageReference.DOCKER_HUB) : conf.searchRegistries();
            inRegistry = term;
        } else {
            int slash = term.indexOf('/');
            registries = List.of(term.substring(0, slash));
            inRegistry = term.substring(slash + 1);
        }
        List<ImageSearchReport> out = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (String registry : registries) {
            try {
                List<ImageSearchReport> found = o.listTags() ? tags(conf, registry, inRegistry, limit, o)
                        : repositories(conf, registry, inRegistry, limit, o);
                for (ImageSearchReport r : found) {
                    if (filter.keeps(r)) {
                        out.add(r);
                    }
                }
            } catch (ImageException | IllegalArgumentException e) {
                errors.add((o.listTags() ? "getting repository tags: " : "couldn't search registry \"" + registry + "\": ") + e.getMessage());
            }
        }
        if (out.isEmpty() && !errors.isEmpty()) {
            throw new EngineException(String.join("; ", errors));
        }
        return out;
    }

    private List<ImageSearchReport> repositories(RegistriesConf conf, String registry, String term, int limit, ImageSearchOptions o) {
        List<ImageSearchReport> out = new ArrayList<>();
        if (registry.equals(ImageReference.DOCKER_HUB)) {
            ImageReference index = new ImageReference(DOCKER_HUB_INDEX, "library/search", "latest", null);
            try (RegistryClient c = client(conf, index, o)) {
                for (RegistryClient.IndexSearchResult r : c.indexSearch(term, limit)) {
                    String name = registry + "/" + (r.name().contains("/") ? "" : "library/") + r.name();
                    out.add(new ImageSearchReport(registry, name, r.description(), r.stars(), r.official() ? ImageSearchReport.OK : "",
                            r.automated() ? ImageSearchReport.OK : "", ""));
                }
            }
            return out;
        }
        ImageReference probe = new ImageReference(registry, "jpod/search", "latest", null);
        try (RegistryClient c = client(conf, probe, o)) {
            // the whole catalog is read (a registry cannot filter it), then matched by substring, as podman does
            for (String repository : c.catalog(Integer.MAX_VALUE)) {
                if (out.size() < limit && repository.contains(term)) {
                    out.add(new ImageSearchReport(registry, registry + "/" + repository, "", 0, "", "", ""));
                }
            }
        }
        return out;
    }

    private List<ImageSearchReport> tags(RegistriesConf conf, String registry, String repository, int limit, ImageSearchOptions o) {
        ImageReference ref = ImageReference.parse(registry + "/" + repository); // its tag, if any, does not narrow the list
        List<ImageSearchReport> out = new ArrayList<>();
        try (RegistryClient c = client(conf, ref, o)) {
            for (String tag : c.tags(limit)) {
                out.add(new ImageSearchReport(registry, ref.repositoryName(), "", 0, "", "", tag));
            }
        }
        return out;
    }

    private RegistryClient client(RegistriesConf conf, ImageReference ref, ImageSearchOptions o) {
        RegistriesConf.Registry configured = conf.match(ref);
        boolean tlsVerify = o.tlsVerify() != null ? o.tlsVerify() : configured == null || !configured.insecure();
        return new RegistryClient(ref, tlsVerify, AuthStore.of(env, o.authfile()).lazy(ref));
    }
}
