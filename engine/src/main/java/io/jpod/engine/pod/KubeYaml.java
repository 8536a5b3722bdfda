package io.jpod.engine.pod;

import io.jpod.engine.EngineException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * YAML for `kube generate` and `kube play` (jackson-dataformat-yaml over SnakeYAML): loaded only by the kube commands,
 * so no other command pays for the classes.
 */
public final class KubeYaml {
    private static final ObjectMapper MAPPER = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            .build());

    private KubeYaml() {
    }

    public static String write(Object document) {
        try {
            return MAPPER.writeValueAsString(document);
        } catch (IOException e) {
            throw new EngineException("cannot write YAML: " + e.getMessage(), e);
        }
    }

    /** Every document of a (multi-document) YAML text; empty documents are skipped. */
    public static List<JsonNode> readAll(String text, String source) {
        List<JsonNode> docs = new ArrayList<>();
        try (YAMLParser parser = (YAMLParser) MAPPER.getFactory().createParser(text)) {
            var it = MAPPER.readValues(parser, JsonNode.class);
            while (it.hasNextValue()) {
                JsonNode n = it.nextValue();
                if (n != null && !n.isNull() && !n.isMissingNode()) {
                    docs.add(n);
                }
            }
        } catch (IOException | RuntimeException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw new EngineException("cannot read " + source + " as Kubernetes YAML: " + msg);
        }
        return docs;
    }
}
