package io.jpod.cli.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** docker's {@code filters} query parameter: {@code {"label":{"a=b":true}}} or the older {@code {"label":["a=b"]}}. */
final class Filters {
    private Filters() {
    }

    static Map<String, List<String>> parse(String json) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (json == null || json.isEmpty()) {
            return out;
        }
        JsonNode n;
        try {
            n = HttpExchange.JSON.readTree(json);
        } catch (IOException e) {
            throw HttpError.badRequest("invalid filters: not JSON");
        }
        if (n == null || !n.isObject()) {
            throw HttpError.badRequest("invalid filters: expected an object of filter names");
        }
        n.fields().forEachRemaining(f -> {
            List<String> values = new ArrayList<>();
            if (f.getValue().isObject()) {
                f.getValue().fields().forEachRemaining(v -> {
                    if (v.getValue().asBoolean()) {
                        values.add(v.getKey());
                    }
                });
            } else if (f.getValue().isArray()) {
                f.getValue().forEach(v -> values.add(v.asText()));
            } else {
                throw HttpError.badRequest("invalid filter " + HttpRequest.printable(f.getKey()) + ": expected an object or a list");
            }
            out.put(f.getKey(), values);
        });
        return out;
    }

    /** Whether a label map has every {@code key} or {@code key=value} asked for. */
    static boolean labels(List<String> wanted, Map<String, String> labels) {
        for (String w : wanted) {
            int eq = w.indexOf('=');
            String k = eq < 0 ? w : w.substring(0, eq);
            if (labels == null || !labels.containsKey(k) || eq >= 0 && !w.substring(eq + 1).equals(labels.get(k))) {
                return false;
            }
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    static boolean matchesEvent(Map<String, List<String>> filters, Map<String, Object> event) {
        Map<String, Object> actor = (Map<String, Object>) event.get("Actor");
        Map<String, String> attrs = (Map<String, String>) actor.get("Attributes");
        for (Map.Entry<String, List<String>> f : filters.entrySet()) {
            List<String> v = f.getValue();
            if (v.isEmpty()) {
                continue;
            }
            boolean ok = switch (f.getKey()) {
                case "type" -> v.contains(String.valueOf(event.get("Type")));
                case "event" -> v.contains(String.valueOf(event.get("Action")));
                case "container" -> "container".equals(event.get("Type"))
                        && v.stream().anyMatch(x -> x.equals(attrs.get("name")) || String.valueOf(actor.get("ID")).startsWith(x));
                case "image" -> v.contains(attrs.get("image")) || v.contains(String.valueOf(event.get("from")));
                case "label" -> labels(v, attrs);
                default -> true;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
