package io.jpod.cli;

import io.jpod.engine.EngineException;
import io.jpod.engine.image.ImageSummaryReport;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * `jpod images --filter`: reference=GLOB (podman's: matched against the full name, or without registry and/or tag),
 * dangling=true|false, id=, digest=, before=IMAGE, since=IMAGE (or after=IMAGE). Several values of one key are alternatives,
 * different keys must all match (podman's rule).
 */
final class ImageFilter {
    private static final String KEYS = "reference, dangling, id, digest, before, since or after";

    private ImageFilter() {
    }

    static List<ImageSummaryReport> apply(List<ImageSummaryReport> images, List<String> filters) {
        Predicate<ImageSummaryReport> p = Filters.of(filters, KEYS, Set.of(), (key, value) -> one(key, value, images));
        return images.stream().filter(p).toList();
    }

    private static Predicate<ImageSummaryReport> one(String key, String value, List<ImageSummaryReport> all) {
        return switch (key) {
            case "reference" -> {
                Pattern p = glob(value);
                yield r -> r.names().stream().anyMatch(n -> matches(p, n));
            }
            case "dangling" -> {
                if (!value.equals("true") && !value.equals("false")) {
                    throw new EngineException("invalid dangling filter \"" + value + "\": use dangling=true or dangling=false");
                }
                boolean dangling = value.equals("true");
                yield r -> r.names().isEmpty() == dangling;
            }
            case "id" -> r -> hex(r.id()).startsWith(value.replaceFirst("^sha256:", ""));
            case "digest" -> r -> value.equals(r.manifestDigest()) || r.digests().contains(value);
            case "before", "since", "after" -> { // after: podman's other name for since
                ImageSummaryReport ref = all.stream().filter(r -> r.names().stream().anyMatch(n -> matches(glob(value), n))
                                || hex(r.id()).startsWith(value.replaceFirst("^sha256:", "")))
                        .findFirst().orElseThrow(() -> new EngineException(key + " filter: no image \"" + value + "\" here"));
                Instant t = ref.stored() == null ? Instant.EPOCH : ref.stored();
                yield key.equals("before")
                        ? r -> r.stored() != null && r.stored().isBefore(t)
                        : r -> r.stored() != null && r.stored().isAfter(t);
            }
            default -> throw new EngineException("unsupported filter \"" + key + "\": use " + KEYS);
        };
    }

    private static String hex(String id) {
        return id.startsWith("sha256:") ? id.substring(7) : id;
    }

    static boolean matches(Pattern p, String name) {
        List<String> forms = new ArrayList<>();
        forms.add(name);
        int colon = name.lastIndexOf(':');
        String noTag = colon > name.lastIndexOf('/') ? name.substring(0, colon) : name;
        forms.add(noTag);
        int slash = name.indexOf('/');
        if (slash > 0) {
            forms.add(name.substring(slash + 1));
            forms.add(noTag.substring(slash + 1));
        }
        String lib = "docker.io/library/";
        if (name.startsWith(lib)) {
            forms.add(name.substring(lib.length()));
            forms.add(noTag.substring(lib.length()));
        }
        return forms.stream().anyMatch(f -> p.matcher(f).matches());
    }

    /** Shell glob: * (not across '/'), ?, everything else literal. */
    static Pattern glob(String g) {
        StringBuilder re = new StringBuilder();
        for (char c : g.toCharArray()) {
            switch (c) {
                case '*' -> re.append("[^/]*");
                case '?' -> re.append("[^/]");
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }
}
