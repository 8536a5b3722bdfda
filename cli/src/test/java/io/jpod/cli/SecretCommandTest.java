package io.jpod.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jpod.engine.secret.SecretReport;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** `secret inspect` (and `ls --format json`) and `secret ls`'s template fields are made from one SecretReport. */
class SecretCommandTest {
    private static final String ID = "0123456789abcdef012345678";

    private static SecretReport report() {
        return new SecretReport(ID, "db-pass", "file", Map.of("path", "/s/secrets/filedriver"), Map.of("env", "prod"),
                Instant.parse("2026-12-06T22:00:00Z"));
    }

    @Test
    void inspectIsPodmansObject() {
        assertEquals("{\"ID\":\"" + ID + "\",\"CreatedAt\":\"2026-12-06T22:00:00Z\",\"UpdatedAt\":\"2026-12-06T22:00:00Z\","
                        + "\"Spec\":{\"Name\":\"db-pass\",\"Driver\":{\"Name\":\"file\",\"Options\":{\"path\":\"/s/secrets/filedriver\"}},"
                        + "\"Labels\":{\"env\":\"prod\"}}}",
                Formats.compactJson(SecretCommand.inspect(report())));
    }

    @Test
    void aSecretWithoutLabelsOrTimeKeepsTheKeys() {
        SecretReport bare = new SecretReport(ID, "x", "file", null, null, null);
        assertEquals("{\"ID\":\"" + ID + "\",\"CreatedAt\":null,\"UpdatedAt\":null,"
                        + "\"Spec\":{\"Name\":\"x\",\"Driver\":{\"Name\":\"file\",\"Options\":{}},\"Labels\":{}}}",
                Formats.compactJson(SecretCommand.inspect(bare)));
    }

    @Test
    void listRowHasTheTemplateFields() {
        Map<String, Object> row = SecretCommand.row(report());
        assertEquals(ID, row.get("ID"));
        assertEquals("db-pass", row.get("Name"));
        assertEquals("file", row.get("Driver"));
        assertEquals(Map.of("env", "prod"), row.get("Labels"));
        assertEquals(row.get("CreatedAt"), row.get("UpdatedAt"));
    }
}
