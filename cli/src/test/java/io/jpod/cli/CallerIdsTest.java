package io.jpod.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jpod.engine.RequestContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CallerIdsTest {
    @Test
    void theClientsTerminalFrame() {
        assertEquals(new RequestContext.Terminal(true, true, false, 50, 120), CallerIds.terminal("1 1 0 50 120"));
        assertEquals(new RequestContext.Terminal(false, false, false, 0, 0), CallerIds.terminal("0 0 0 0 0"));
        assertEquals(RequestContext.Terminal.NONE, CallerIds.terminal("garbage"), "a malformed frame is no terminal");
    }

    @Test
    void peerNamesToIds(@TempDir Path dir) throws IOException {
        Path passwd = Files.writeString(dir.resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n");
        assertEquals(0, CallerIds.id("root", passwd));
        assertEquals(1000, CallerIds.id("alice", passwd));
        assertEquals(65534, CallerIds.id("65534", passwd), "an id without a name comes as its number");
        assertEquals(-1, CallerIds.id("nobody-here", passwd));
    }

    @Test
    void ownProcess() {
        long[] own = CallerIds.own();
        assertEquals(true, own[0] >= 0 && own[0] <= 0777, "umask " + own[0]);
        assertEquals(true, own[1] >= 0 && own[2] >= 0);
    }
}
