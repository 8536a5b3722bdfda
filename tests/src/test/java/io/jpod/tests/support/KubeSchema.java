package io.jpod.tests.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Validates the YAML jpod writes against the Kubernetes API's own model: fabric8's kubernetes-model classes are
 * generated from the API's published OpenAPI schema, so binding a document to them checks every field name, nesting
 * and scalar type. fabric8 keeps unknown fields in {@code additionalProperties} instead of failing, so any such entry
 * anywhere is a failure here; scalar coercion (a number where the API has a string) is turned off. What a schema says
 * beyond types (required fields, a Deployment's selector matching its template) is checked explicitly. Test scope
 * only: the runtime never loads it.
 */
public final class KubeSchema {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper TYPED = JsonMapper.builder()
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private KubeSchema() {
    }

    /** Every document of {@code yaml}, each validated; returns them (as trees) in order. */
    public static List<JsonNode> validate(String yaml) {
        List<JsonNode> docs = new ArrayList<>();
        try {
            var it = YAML.readerFor(JsonNode.class).readValues(yaml);
            while (it.hasNext()) {
                JsonNode doc = (JsonNode) it.next();
                if (doc != null && !doc.isNull()) {
                    validateOne(doc);
                    docs.add(doc);
                }
            }
        } catch (java.io.IOException e) {
            fail("not YAML: " + e.getMessage() + "\n" + yaml);
        }
        assertFalse(docs.isEmpty(), "no document in\n" + yaml);
        return docs;
    }

    private static void validateOne(JsonNode doc) {
        String kind = doc.path("kind").asText();
        String api = doc.path("apiVersion").asText();
        Object typed;
        try {
            typed = switch (kind) {
                case "Pod" -> {
                    assertEquals("v1", api);
                    Pod p = TYPED.treeToValue(doc, Pod.class);
                    checkPodSpec(p.getSpec(), kind);
                    yield p;
                }
                case "Deployment" -> {
                    assertEquals("apps/v1", api);
                    Deployment d = TYPED.treeToValue(doc, Deployment.class);
                    checkPodSpec(d.getSpec().getTemplate().getSpec(), kind);
                    Map<String, String> selector = d.getSpec().getSelector().getMatchLabels();
                    Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
                    assertTrue(selector != null && !selector.isEmpty() && labels.entrySet().containsAll(selector.entrySet()),
                            "the Deployment's selector must match its template's labels");
                    assertEquals("Always", d.getSpec().getTemplate().getSpec().getRestartPolicy(), "a Deployment's pods restart Always");
                    yield d;
                }
                case "Service" -> {
                    assertEquals("v1", api);
                    Service s = TYPED.treeToValue(doc, Service.class);
                    assertFalse(s.getSpec().getPorts().isEmpty(), "a Service needs ports");
                    s.getSpec().getPorts().forEach(p -> assertTrue(p.getPort() != null && p.getPort() > 0, "port"));
                    yield s;
                }
                case "PersistentVolumeClaim" -> {
                    assertEquals("v1", api);
                    io.fabric8.kubernetes.api.model.PersistentVolumeClaim c = TYPED.treeToValue(doc, io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class);
                    assertFalse(c.getSpec().getAccessModes().isEmpty(), "a claim needs an access mode");
                    yield c;
                }
                default -> fail("jpod wrote a kind it should not: " + kind);
            };
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            fail("does not match the Kubernetes model of " + kind + ": " + e.getOriginalMessage() + "\n" + doc.toPrettyString());
            return;
        }
        assertFalse(doc.path("metadata").path("name").asText().isEmpty(), "metadata.name is required");
        List<String> unknown = new ArrayList<>();
        unknownFields(typed, kind, unknown, new IdentityHashMap<>());
        assertTrue(unknown.isEmpty(), "fields the Kubernetes API does not have: " + unknown + "\n" + doc.toPrettyString());
    }

    private static void checkPodSpec(PodSpec spec, String kind) {
        assertTrue(spec != null && spec.getContainers() != null && !spec.getContainers().isEmpty(), kind + " needs containers");
        for (Container c : spec.getContainers()) {
            assertTrue(c.getName() != null && c.getName().matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?") && c.getName().length() <= 63,
                    "a container's name must be a DNS label: " + c.getName());
            assertTrue(c.getImage() != null && !c.getImage().isEmpty(), "a container needs an image");
        }
        if (spec.getVolumes() != null) {
            spec.getVolumes().forEach(v -> assertTrue(v.getName().matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?") && v.getName().length() <= 63,
                    "a volume's name must be a DNS label: " + v.getName()));
        }
    }

    /** Walks the typed object: every fabric8 object's additionalProperties must be empty. */
    private static void unknownFields(Object o, String path, List<String> unknown, IdentityHashMap<Object, Boolean> seen) {
        if (o == null || seen.put(o, true) != null) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                unknownFields(e, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> unknownFields(v, path + "." + k, unknown, seen));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method getter : o.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(o);
            } catch (ReflectiveOperationException e) {
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    extra.keySet().forEach(k -> unknown.add(path + "." + k));
                }
            } else {
                unknownFields(value, path + "." + getter.getName().substring(3), unknown, seen);
            }
        }
    }
}
