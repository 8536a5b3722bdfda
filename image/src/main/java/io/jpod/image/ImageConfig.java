package io.jpod.image;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * OCI image configuration (the "config" blob). {@code created} stays the string the image carries
 * (RFC 3339 of varying precision); {@link #createdInstant()} parses it leniently.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageConfig(
        @JsonProperty("created") String created,
        @JsonProperty("author") String author,
        @JsonProperty("architecture") String architecture,
        @JsonProperty("os") String os,
        @JsonProperty("variant") String variant,
        @JsonProperty("config") Config config,
        @JsonProperty("rootfs") RootFs rootfs,
        @JsonProperty("history") List<History> history) {

    public ImageConfig {
        history = Immutable.list(history);
    }

    /** Parses and validates a config blob (size cap, JSON, sha256 diff_ids). */
    public static ImageConfig parse(byte[] json, String image) {
        return ManifestParser.parseConfig(json, image);
    }

    /** The creation time, or null if absent or unparseable (a bad timestamp must not make an image unusable). */
    public Instant createdInstant() {
        if (created == null || created.isEmpty()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(created).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The diff ids bottom→top; empty if the config has none. */
    public List<String> diffIds() {
        return rootfs == null || rootfs.diffIds() == null ? List.of() : rootfs.diffIds();
    }

    /** Execution parameters ("config" inside the config); the names follow Docker's capitalised JSON keys. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Config(
            @JsonProperty("User") String user,
            @JsonProperty("ExposedPorts") Map<String, Object> exposedPorts,
            @JsonProperty("Env") List<String> env,
            @JsonProperty("Entrypoint") List<String> entrypoint,
            @JsonProperty("Cmd") List<String> cmd,
            @JsonProperty("Volumes") Map<String, Object> volumes,
            @JsonProperty("WorkingDir") String workingDir,
            @JsonProperty("Labels") Map<String, String> labels,
            @JsonProperty("StopSignal") String stopSignal,
            @JsonProperty("Healthcheck") Healthcheck healthcheck) {

        public Config {
            exposedPorts = Immutable.map(exposedPorts);
            env = Immutable.list(env);
            entrypoint = Immutable.list(entrypoint);
            cmd = Immutable.list(cmd);
            volumes = Immutable.map(volumes);
            labels = Immutable.map(labels);
        }
    }

    /** Dockerfile HEALTHCHECK: Test ["CMD-SHELL", cmd] / ["CMD", …] / ["NONE"], durations in nanoseconds. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Healthcheck(
            @JsonProperty("Test") List<String> test,
            @JsonProperty("Interval") Long interval,
            @JsonProperty("Timeout") Long timeout,
            @JsonProperty("StartPeriod") Long startPeriod,
            @JsonProperty("Retries") Integer retries) {

        public Healthcheck {
            test = Immutable.list(test);
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RootFs(
            @JsonProperty("type") String type,
            @JsonProperty("diff_ids") List<String> diffIds) {

        public RootFs {
            diffIds = Immutable.list(diffIds);
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record History(
            @JsonProperty("created") String created,
            @JsonProperty("created_by") String createdBy,
            @JsonProperty("author") String author,
            @JsonProperty("comment") String comment,
            @JsonProperty("empty_layer") Boolean emptyLayer) {
    }
}
