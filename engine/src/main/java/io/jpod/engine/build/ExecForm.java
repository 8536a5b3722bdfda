package io.jpod.engine.build;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.List;

/** The JSON (exec) form of RUN, CMD, ENTRYPOINT, SHELL, COPY, ADD, VOLUME: a JSON array of strings, else shell form. */
public final class ExecForm {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ExecForm() {
    }

    /** The array, or null when args is not a JSON array of strings (then it is the shell form, as in Docker). */
    public static List<String> parse(String args) {
        String t = args.strip();
        if (!t.startsWith("[") || !t.endsWith("]")) {
            return null;
        }
        try {
            List<Object> raw = JSON.readValue(t, new TypeReference<List<Object>>() {
            });
            for (Object o : raw) {
                if (!(o instanceof String)) {
                    return null;
                }
            }
            @SuppressWarnings("unchecked")
            List<String> strings = (List<String>) (List<?>) raw;
            return List.copyOf(strings);
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
