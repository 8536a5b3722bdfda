package io.jpod.engine.network;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.jpod.storage.NetworkRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** `network ls/inspect` print NetworkReport where they printed the stored record: the JSON must not change. */
class NetworkReportTest {
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @Test
    void serialisesExactlyAsTheRecord() throws Exception {
        NetworkRecord full = new NetworkRecord("net1", "a".repeat(64), "bridge", "podman1", Instant.parse("2026-12-06T10:00:00.123Z"),
                List.of(new NetworkRecord.Subnet("10.89.1.0/24", "10.89.1.1", new NetworkRecord.LeaseRange("10.89.1.10", "10.89.1.20")),
                        new NetworkRecord.Subnet("10.89.2.0/24", "10.89.2.1", null)),
                false, true, true, Map.of("b", "2", "a", "1"), Map.of("mtu", "1400"), null);
        NetworkRecord bare = new NetworkRecord("podman", "b".repeat(64), "bridge", "podman0", Instant.EPOCH, null, false, false,
                false, null, null, Map.of("driver", "host-local"));
        for (NetworkRecord r : List.of(full, bare)) {
            assertEquals(JSON.writeValueAsString(r), JSON.writeValueAsString(NetworkReport.of(r)));
        }
    }
}
