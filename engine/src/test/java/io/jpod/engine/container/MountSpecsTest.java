package io.jpod.engine.container;

import io.jpod.engine.EngineException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MountSpecsTest {
    @Test
    void volumeSpecsAreBindsOrNamedOrAnonymous() {
        MountSpecs.Parsed bind = MountSpecs.parseVolume("/srv/data:/data:ro,z");
        assertEquals("bind", bind.type());
        assertEquals("/srv/data", bind.source());
        assertTrue(bind.readOnly());
        assertEquals(List.of("rbind"), bind.options());

        MountSpecs.Parsed named = MountSpecs.parseVolume("cache:/var/cache:noexec,nocopy");
        assertEquals("volume", named.type());
        assertEquals("cache", named.source());
        assertFalse(named.copyUp());
        assertEquals(List.of("rbind", "noexec"), named.options());

        MountSpecs.Parsed anon = MountSpecs.parseVolume("/scratch");
        assertEquals("volume", anon.type());
        assertEquals(null, anon.source());
        assertEquals("/scratch", anon.target());

        assertThrows(EngineException.class, () -> MountSpecs.parseVolume("a:b:c:d"));
        assertThrows(EngineException.class, () -> MountSpecs.parseVolume("/x:/y:O"));
        assertThrows(EngineException.class, () -> MountSpecs.parseVolume("bad name:/y"));
    }

    @Test
    void mountAndTmpfsSpecs() {
        MountSpecs.Parsed m = MountSpecs.parseMount("type=bind,src=/a,dst=/b,readonly");
        assertEquals("bind", m.type());
        assertTrue(m.readOnly());
        MountSpecs.Parsed t = MountSpecs.parseMount("type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1777");
        assertEquals(List.of("nosuid", "nodev", "size=1m", "mode=1777", "tmpcopyup"), t.options());
        assertEquals(List.of("nosuid", "nodev", "noexec", "tmpcopyup"), MountSpecs.parseTmpfs("/run").options());
        assertEquals(List.of("nosuid", "nodev", "size=64k"), MountSpecs.parseTmpfs("/run:exec,size=64k,notmpcopyup").options());
        assertThrows(EngineException.class, () -> MountSpecs.parseMount("type=bind,target=/b"));
        assertThrows(EngineException.class, () -> MountSpecs.parseMount("type=nfs,target=/b"));
        assertThrows(EngineException.class, () -> MountSpecs.parseTmpfs("/x:evil=1"));
    }

    @Test
    void ulimitsAndSecurityOptions() {
        assertEquals("7:1024:2048", SandboxPolicy.ulimit("nofile=1024:2048"));
        assertEquals("6:18446744073709551615:18446744073709551615", SandboxPolicy.ulimit("nproc=-1"));
        assertThrows(EngineException.class, () -> SandboxPolicy.ulimit("nofile=10:5"));
        assertThrows(EngineException.class, () -> SandboxPolicy.ulimit("bogus=1"));
        assertTrue(SandboxPolicy.parseOptions(List.of()).noNewPrivs());
        assertFalse(SandboxPolicy.parseOptions(List.of("no-new-privileges=false")).noNewPrivs());
        assertTrue(SandboxPolicy.parseOptions(List.of("seccomp=unconfined")).seccompUnconfined());
        assertTrue(SandboxPolicy.parseOptions(List.of("seccomp=jpod-strict")).seccompStrict());
        assertFalse(SandboxPolicy.parseOptions(List.of("seccomp=jpod-strict", "seccomp=unconfined")).seccompStrict());
        assertEquals(null, SandboxPolicy.parseOptions(List.of("seccomp=jpod-strict")).seccompProfile());
        assertThrows(EngineException.class, () -> SandboxPolicy.parseOptions(List.of("apparmor=myprofile")));
    }

    @Test
    void optionUIsKeptForTheChownNotRefused() {
        MountSpecs.Parsed bind = MountSpecs.parseVolume("/srv/data:/data:U,ro");
        assertTrue(bind.options().contains(MountSpecs.CHOWN), bind::toString);
        assertTrue(bind.readOnly());
        assertFalse(MountSpecs.parseVolume("/srv/data:/data").options().contains(MountSpecs.CHOWN));
    }
}
