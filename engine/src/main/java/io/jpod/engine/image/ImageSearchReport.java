package io.jpod.engine.image;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One row of `search`: a repository found, or with --list-tags one tag of it. The JSON keys and the Go-template
 * fields are podman's ({@code {{.Index}} {{.Name}} …}), both from this record.
 *
 * @param index       the registry searched ("docker.io", "quay.io", "127.0.0.1:5000")
 * @param name        the repository, with its registry
 * @param description what the registry says of it (only an index such as Docker Hub's has one)
 * @param stars       the index's stars, 0 elsewhere
 * @param official    "[OK]" for an official image, else ""
 * @param automated   "[OK]" for an automated build, else ""
 * @param tag         with --list-tags the tag, else ""
 */
public record ImageSearchReport(@JsonProperty("Index") String index, @JsonProperty("Name") String name,
                                @JsonProperty("Description") String description, @JsonProperty("Stars") int stars,
                                @JsonProperty("Official") String official, @JsonProperty("Automated") String automated,
                                @JsonProperty("Tag") String tag) {
    /** podman's mark of a true Official or Automated. */
    public static final String OK = "[OK]";

    /** The same row with another description (the CLI's truncation). */
    public ImageSearchReport withDescription(String newDescription) {
        return new ImageSearchReport(index, name, newDescription, stars, official, automated, tag);
    }
}
