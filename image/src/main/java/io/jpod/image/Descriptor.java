package io.jpod.image;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** OCI content descriptor (including the OCI 1.1 fields {@code artifactType} and {@code data}). */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Descriptor(
        @JsonProperty("mediaType") String mediaType,
        @JsonProperty("digest") String digest,
        @JsonProperty("size") long size,
        @JsonProperty("urls") List<String> urls,
        @JsonProperty("annotations") Map<String, String> annotations,
        @JsonProperty("platform") Platform platform,
        @JsonProperty("artifactType") String artifactType,
        /** base64 of the embedded content (OCI 1.1); kept as the string it came as. */
        @JsonProperty("data") String data) {

    public Descriptor {
        urls = Immutable.list(urls);
        annotations = Immutable.map(annotations);
    }

    public static Descriptor of(String mediaType, String digest, long size) {
        return new Descriptor(mediaType, digest, size, null, null, null, null, null);
    }
}
