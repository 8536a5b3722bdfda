package io.jpod.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContainersConfTest {
    @Test
    void readsPidsLimitAndJpodsCgroupParents() {
        ContainersConf.Values v = ContainersConf.parse("""
                [containers]
                pids_limit = 100
                [jpod]
                cgroup_v1_parent = ["memory:/a/b", "pids:/a/b"]
                cgroup_v2_parent = "/deleg"
                """, "f.conf", ContainersConf.Values.NONE);
        assertEquals(100L, v.pidsLimit());
        assertEquals("memory:/a/b,pids:/a/b", v.v1Parent());
        assertEquals("/deleg", v.v2Parent());
        assertEquals("f.conf", v.v1Source());
        assertEquals("f.conf", v.cgroupSettings().v2Source());
        ContainersConf.Values s = ContainersConf.parse("[jpod]\ncgroup_v1_parent = \"memory:/x\"\n", "g.conf", v);
        assertEquals("memory:/x", s.v1Parent(), "a later file wins key by key");
        assertEquals("g.conf", s.v1Source());
        assertEquals(100L, s.pidsLimit(), "keys the later file does not set stay");
        assertEquals("f.conf", s.pidsSource());
    }

    @Test
    void badValuesNameTheFileAndTheFix() {
        for (String bad : List.of("[containers]\npids_limit = \"many\"\n", "[jpod]\ncgroup_v1_parent = \"memory\"\n",
                "[jpod]\ncgroup_v2_parent = 3\n", "[jpod\n")) {
            EngineException e = assertThrows(EngineException.class, () -> ContainersConf.parse(bad, "/x/containers.conf", ContainersConf.Values.NONE));
            assertTrue(e.getMessage().startsWith("/x/containers.conf"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        }
    }

    @Test
    void jpodsOwnFileComesLastAndTheEnvironmentWins(@TempDir Path home) throws IOException {
        Path user = home.resolve(".config/containers/containers.conf");
        Path own = home.resolve(".config/jpod/containers.conf");
        Files.createDirectories(user.getParent());
        Files.createDirectories(own.getParent());
        Files.writeString(user, "[containers]\npids_limit = 10\n[jpod]\ncgroup_v1_parent = \"memory:/u\"\n");
        Files.writeString(own, "[jpod]\ncgroup_v1_parent = \"memory:/own\"\n");
        Map<String, String> env = Map.of("HOME", home.toString());
        assertEquals(List.of(user, own), ContainersConf.files(env).stream().filter(p -> p.startsWith(home)).toList());
        ContainersConf.Values v = ContainersConf.load(env);
        assertEquals("memory:/own", v.v1Parent());
        assertEquals(own.toString(), v.v1Source());
        assertEquals(10L, v.pidsLimit());
        ContainersConf.Values e = ContainersConf.load(Map.of("HOME", home.toString(), "JPOD_CGROUP_V1_PARENT", "pids:/env"));
        assertEquals("pids:/env", e.v1Parent());
        assertEquals("environment JPOD_CGROUP_V1_PARENT", e.v1Source());
        // CONTAINERS_CONF replaces the containers.conf chain, not jpod's own file
        Path only = home.resolve("only.conf");
        Files.writeString(only, "[containers]\npids_limit = 0\n");
        ContainersConf.Values o = ContainersConf.load(Map.of("HOME", home.toString(), "CONTAINERS_CONF", only.toString()));
        assertEquals(List.of(only, own), ContainersConf.files(Map.of("HOME", home.toString(), "CONTAINERS_CONF", only.toString())));
        assertEquals(0L, o.pidsLimit());
        assertNull(ContainersConf.load(Map.of("HOME", home.resolve("nothing").toString())).v2Parent());
    }
}
