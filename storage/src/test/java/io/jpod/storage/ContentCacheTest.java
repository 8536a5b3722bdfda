package io.jpod.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Values are reused only for byte-for-byte the same content, whoever changed the file and whatever its mtime says. */
class ContentCacheTest {
    @TempDir
    Path tmp;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theSameBytesGiveTheSameValueOtherBytesAFreshOne() {
        ContentCache<String> cache = new ContentCache<>(1 << 20);
        AtomicInteger computed = new AtomicInteger();
        java.util.function.Function<byte[], String> parse = d -> {
            computed.incrementAndGet();
            return new String(d, StandardCharsets.UTF_8);
        };
        String first = cache.get("k", b("one"), parse);
        assertSame(first, cache.get("k", b("one"), parse), "an equal array (not the same one) hits");
        assertEquals(1, computed.get());
        assertEquals("two", cache.get("k", b("two"), parse), "other content is computed again");
        assertEquals("one", cache.get("k", b("one"), parse));
        assertEquals(3, computed.get(), "only the last content per key is kept");
        assertEquals("one", cache.get("other", b("one"), parse), "keys are separate");
    }

    @Test
    void aFailureOrNullKeepsNothing() {
        ContentCache<String> cache = new ContentCache<>(1 << 20);
        cache.get("k", b("old"), d -> "old");
        assertThrows(IllegalStateException.class, () -> cache.get("k", b("bad"), d -> {
            throw new IllegalStateException("corrupt");
        }));
        assertNull(cache.get("k", b("none"), d -> null));
        assertEquals(0, cache.size(), "a key whose content gives no value is dropped");
        assertEquals("new", cache.get("k", b("old"), d -> "new"), "and computed again");
    }

    @Test
    void boundedByTheBytesItKeeps() {
        ContentCache<Integer> cache = new ContentCache<>(100);
        for (int i = 0; i < 20; i++) {
            cache.get(i, new byte[10], d -> 1);
        }
        assertEquals(10, cache.size());
        cache.get("huge", new byte[60], d -> 1);
        assertEquals(10, cache.size(), "content over a quarter of the bound is not kept");
    }

    /**
     * A record rewritten by another writer with the same length and the same mtime (as a write within one clock tick
     * would leave it): the next read sees the new record, the unchanged file gives the very same object.
     */
    @Test
    void aRecordRewrittenBehindItsBackIsReadAgain() throws Exception {
        Path f = tmp.resolve("image.json");
        String a = "{\"id\":\"sha256:" + "a".repeat(64) + "\",\"names\":[\"x:1\"],\"digests\":[],\"layers\":[],\"size\":1}";
        Files.writeString(f, a);
        FileTime mtime = FileTime.from(Instant.parse("2026-01-01T00:00:00Z"));
        Files.setLastModifiedTime(f, mtime);
        ImageRecord first = Json.readCached(f, ImageRecord.class, r -> r);
        assertSame(first, Json.readCached(f, ImageRecord.class, r -> r), "unchanged: parsed once");
        Files.writeString(f, a.replace("x:1", "y:2"));
        Files.setLastModifiedTime(f, mtime);
        ImageRecord second = Json.readCached(f, ImageRecord.class, r -> r);
        assertNotSame(first, second);
        assertEquals(List.of("y:2"), second.names());
        Files.delete(f);
        assertNull(Json.readCached(f, ImageRecord.class, r -> r), "gone: none");
    }
}
