package io.jpod.image;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** OCI image index / Docker manifest list. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageIndex(
        @JsonProperty("schemaVersion") int schemaVersion,
        @JsonProperty("mediaType") String mediaType,
        @JsonProperty("artifactType") String artifactType,
        @JsonProperty("manifests") List<Descriptor> manifests,
        @JsonProperty("subject") Descriptor subject,
        @JsonProperty("annotations") Map<String, String> annotations) implements Manifest {

    public ImageIndex {
        manifests = manifests == null ? List.of() : Immutable.list(manifests);
        annotations = Immutable.map(annotations);
    }
}
