package io.jpod.engine.image;

import io.jpod.engine.EngineException;

import java.util.List;

/**
 * `search --filter`: podman's three filters, all of which a row must pass. {@code stars=N} keeps rows with at least
 * N stars; {@code is-official} and {@code is-automated} (optionally {@code =true|false}) keep rows whose mark is so.
 *
 * @param minStars  0 when not given
 * @param official  null when not given
 * @param automated null when not given
 */
record ImageSearchFilter(int minStars, Boolean official, Boolean automated) {
    static ImageSearchFilter parse(List<String> filters) {
        int stars = 0;
        Boolean official = null;
        Boolean automated = null;
        for (String f : filters) {
            int eq = f.indexOf('=');
            String key = eq < 0 ? f : f.substring(0, eq);
            String value = eq < 0 ? null : f.substring(eq + 1);
            switch (key) {
                case "stars" -> {
                    if (value == null) {
                        throw new EngineException("invalid filter \"" + f + "\": stars needs a number (stars=N)");
                    }
                    try {
                        stars = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        throw new EngineException("incorrect value type for stars filter: strconv.Atoi: parsing \"" + value + "\": invalid syntax");
                    }
                }
                case "is-official" -> official = bool(key, value);
                case "is-automated" -> automated = bool(key, value);
                default -> throw new EngineException("invalid filter type \"" + f + "\"");
            }
        }
        return new ImageSearchFilter(stars, official, automated);
    }

    private static boolean bool(String key, String value) {
        if (value == null) {
            return true;
        }
        return switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "1", "t", "true" -> true;
            case "0", "f", "false" -> false;
            default -> throw new EngineException("incorrect value type for " + key + " filter: strconv.ParseBool: parsing \""
                    + value + "\": invalid syntax");
        };
    }

    boolean isEmpty() {
        return minStars == 0 && official == null && automated == null;
    }

    boolean keeps(ImageSearchReport r) {
        return r.stars() >= minStars
                && (official == null || official == ImageSearchReport.OK.equals(r.official()))
                && (automated == null || automated == ImageSearchReport.OK.equals(r.automated()));
    }
}
