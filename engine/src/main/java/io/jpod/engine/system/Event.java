package io.jpod.engine.system;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;
import java.util.Map;

/**
 * One event, in podman's JSON shape: a line of the event log ({@link EventLog}) and what {@link EventStream} hands
 * to `jpod events` and the API's /events, which render it.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Event(@JsonProperty("ID") String id, @JsonProperty("Image") String image, @JsonProperty("Name") String name,
                    @JsonProperty("Status") String status, @JsonProperty("Time") String time,
                    @JsonProperty("Type") String type, @JsonProperty("Attributes") Map<String, String> attributes) {
    public Instant instant() {
        return Instant.parse(time);
    }
}
