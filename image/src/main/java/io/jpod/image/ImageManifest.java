package io.jpod.image;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** OCI image manifest / Docker image manifest v2 schema 2. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageManifest(
        @JsonProperty("schemaVersion") int schemaVersion,
        @JsonProperty("mediaType") String mediaType,
        @JsonProperty("artifactType") String artifactType,
        @JsonProperty("config") Descriptor config,
        @JsonProperty("layers") List<Descriptor> layers,
        @JsonProperty("subject") Descriptor subject,
        @JsonProperty("annotations") Map<String, String> annotations) implements Manifest {

    public ImageManifest {
        layers = layers == null ? List.of() : Immutable.list(layers);
        annotations = Immutable.map(annotations);
    }
}
