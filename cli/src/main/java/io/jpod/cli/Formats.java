package io.jpod.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Output helpers shared by the listing commands: podman's human sizes and ages, and JSON. */
final class Formats {
    // one each for the life of the JVM: a mapper made per call would introspect every type again on each request
    private static final com.fasterxml.jackson.databind.ObjectWriter PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writer();
    private static final com.fasterxml.jackson.databind.ObjectWriter COMPACT = new ObjectMapper().writer();

    private Formats() {
    }

    /**
     * {@code value} as indented JSON, exactly as {@code PRETTY.writeValueAsString} writes it. The reports rendered here
     * (inspect's objects above all) are trees of maps, lists, strings, numbers and booleans: those are walked here and
     * written token by token through Jackson's generator (its escaping, its pretty printer), and anything else (a
     * JsonNode, a record, an Instant, a map with other keys) is handed to databind at its place in the tree. Why:
     * databind looked up and contextualised a serializer for every map and value type on every call, a quarter of
     * a warm `inspect` in the service. {@code FormatsTest} compares the two on every kind of value.
     */
    static String json(Object value) {
        java.io.StringWriter out = new java.io.StringWriter(4096);
        try (com.fasterxml.jackson.core.JsonGenerator g = PRETTY.createGenerator(out)) {
            write(g, value);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    private static void write(com.fasterxml.jackson.core.JsonGenerator g, Object v) throws java.io.IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Integer i) {
            g.writeNumber(i);
        } else if (v instanceof Long l) {
            g.writeNumber(l);
        } else if (v instanceof java.util.Map<?, ?> m && stringKeys(m)) {
            g.writeStartObject(m);
            for (java.util.Map.Entry<?, ?> e : m.entrySet()) {
                g.writeFieldName((String) e.getKey());
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof java.util.List<?> l) {
            g.writeStartArray(l, l.size());
            for (Object o : l) {
                write(g, o);
            }
            g.writeEndArray();
        } else {
            PRETTY.writeValue(g, v); // databind, at this place of the tree (the generator keeps its pretty printer)
        }
    }

    private static boolean stringKeys(java.util.Map<?, ?> m) {
        for (Object k : m.keySet()) {
            if (!(k instanceof String)) {
                return false;
            }
        }
        return true;
    }

    /** One line of JSON (`events --format json`). */
    static String compactJson(Object value) {
        try {
            return COMPACT.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** "5.2 MB" in decimal units, as podman prints sizes. */
    static String size(long bytes) {
        String[] units = {"B", "kB", "MB", "GB", "TB"};
        double v = bytes;
        int u = 0;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return u == 0 ? bytes + " B" : String.format(java.util.Locale.ROOT, "%.3g %s", v, units[u]);
    }

    /** "3 minutes ago", roughly as podman says it. */
    static String ago(Instant t) {
        if (t == null) {
            return "";
        }
        long s = Math.max(0, Duration.between(t, Instant.now()).getSeconds());
        if (s < 60) {
            return s + " seconds ago";
        } else if (s < 3600) {
            return s / 60 + " minutes ago";
        } else if (s < 86400) {
            return s / 3600 + " hours ago";
        }
        return s / 86400 + " days ago";
    }

    /** A time as Go prints a time.Time, which is what podman's templates show: 2024-05-01 10:00:00.123 +0000 UTC. */
    static String goTime(Instant t) {
        java.time.format.DateTimeFormatter f = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
                .withZone(java.time.ZoneOffset.UTC);
        String nanos = t.getNano() == 0 ? "" : ("." + String.format(java.util.Locale.ROOT, "%09d", t.getNano())).replaceAll("0+$", "");
        return f.format(t) + nanos + " +0000 UTC";
    }

    /** Left-aligned columns separated by three spaces. */
    static String table(List<String[]> rows) {
        int cols = rows.get(0).length;
        int[] width = new int[cols];
        for (String[] r : rows) {
            for (int i = 0; i < cols; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            for (int i = 0; i < cols; i++) {
                sb.append(r[i]);
                if (i < cols - 1) {
                    sb.append(" ".repeat(width[i] - r[i].length() + 3));
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
