package io.jpod.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistriesConfTest {
    private static final String CONF = """
            unqualified-search-registries = ["registry.fedoraproject.org", "quay.io", "docker.io"]

            [[registry]]
            prefix = "example.com/foo"
            location = "internal.example.com/bar"
            insecure = true

            [[registry.mirror]]
            location = "mirror-1.local/mirror-for-foo"

            [[registry.mirror]]
            location = "mirror-2.local"
            insecure = true

            [[registry]]
            location = "docker.io"
            [[registry.mirror]]
            location = "hub-mirror.local:5000"

            [[registry]]
            location = "bad.example"
            blocked = true

            [aliases]
            "fedora" = "registry.fedoraproject.org/fedora"
            "team/tool" = "quay.io/team/tool"
            """;

    @TempDir
    Path dir;

    private static List<String> names(List<ImageReference> refs) {
        return refs.stream().map(ImageReference::name).toList();
    }

    @Test
    void parsesVersion2() {
        RegistriesConf c = RegistriesConf.parse(CONF, "test");
        assertEquals(List.of("registry.fedoraproject.org", "quay.io", "docker.io"), c.searchRegistries());
        assertEquals(3, c.registries().size());
        RegistriesConf.Registry foo = c.registries().get(0);
        assertEquals("example.com/foo", foo.prefix());
        assertEquals("internal.example.com/bar", foo.location());
        assertTrue(foo.insecure());
        assertEquals(List.of(new RegistriesConf.Mirror("mirror-1.local/mirror-for-foo", false), new RegistriesConf.Mirror("mirror-2.local", true)),
                foo.mirrors());
        assertEquals("docker.io", c.registries().get(1).prefix());
        assertTrue(c.registries().get(2).blocked());
        assertEquals("quay.io/team/tool", c.aliases().get("team/tool"));
    }

    @Test
    void shortNamesAliasesAndSearchOrder() {
        RegistriesConf c = RegistriesConf.parse(CONF, "test");
        assertEquals(List.of("registry.fedoraproject.org/fedora:39"), names(c.candidates("fedora:39")));
        assertEquals(List.of("quay.io/team/tool:latest"), names(c.candidates("team/tool")));
        assertEquals(List.of("registry.fedoraproject.org/alpine:3", "quay.io/alpine:3", "docker.io/library/alpine:3"),
                names(c.candidates("alpine:3")));
        assertEquals(List.of("example.com/x/y:latest"), names(c.candidates("example.com/x/y")));
        // no configuration: docker.io, as before
        assertEquals(List.of("docker.io/library/alpine:latest"), names(RegistriesConf.empty().candidates("alpine")));
    }

    @Test
    void mirrorsComeBeforeTheRewrittenLocationAndBlockedIsRefused() {
        RegistriesConf c = RegistriesConf.parse(CONF, "test");
        List<RegistriesConf.Endpoint> eps = c.endpoints(ImageReference.parse("example.com/foo/app:1"));
        assertEquals(List.of("mirror-1.local/mirror-for-foo/app:1", "mirror-2.local/app:1", "internal.example.com/bar/app:1"),
                eps.stream().map(e -> e.ref().name()).toList());
        assertEquals(List.of(false, true, true), eps.stream().map(RegistriesConf.Endpoint::insecure).toList());
        assertEquals(List.of(true, true, false), eps.stream().map(RegistriesConf.Endpoint::mirror).toList());

        assertEquals(List.of("hub-mirror.local:5000/library/alpine:latest", "docker.io/library/alpine:latest"),
                c.endpoints(ImageReference.parse("alpine")).stream().map(e -> e.ref().name()).toList());
        // prefix matching is by path component: example.com/foobar is not under example.com/foo
        assertNull(c.match(ImageReference.parse("example.com/foobar/app")));
        assertEquals(1, c.endpoints(ImageReference.parse("example.com/foobar/app")).size());

        ImageException e = assertThrows(ImageException.class, () -> c.endpoints(ImageReference.parse("bad.example/x:1")));
        assertTrue(e.getMessage().contains("blocked"), e.getMessage());
    }

    @Test
    void laterFilesOverlayEarlierOnesAndJpodsOwnFileComesLast() throws IOException {
        Path home = dir.resolve("home");
        Files.createDirectories(home.resolve(".config/containers"));
        Files.createDirectories(home.resolve(".config/jpod"));
        Files.writeString(home.resolve(".config/containers/registries.conf"), CONF);
        Files.writeString(home.resolve(".config/jpod/registries.conf"), """
                [[registry]]
                location = "bad.example"
                blocked = false
                [aliases]
                "fedora" = "quay.io/fedora/fedora"
                """);
        RegistriesConf c = RegistriesConf.load(Map.of("HOME", home.toString()));
        assertEquals(List.of("registry.fedoraproject.org", "quay.io", "docker.io"), c.searchRegistries(), "kept: the override sets none");
        assertEquals(List.of("quay.io/fedora/fedora:latest"), names(c.candidates("fedora")));
        assertEquals(1, c.endpoints(ImageReference.parse("bad.example/x:1")).size());
        assertTrue(RegistriesConf.hasRegistryTables(Map.of("HOME", home.toString())));
        Files.writeString(home.resolve(".config/containers/registries.conf"), "# [[registry]]\n[aliases]\n\"a\" = \"quay.io/a\"\n");
        Files.delete(home.resolve(".config/jpod/registries.conf"));
        assertTrue(!RegistriesConf.hasRegistryTables(Map.of("HOME", home.toString())), "a commented table does not count");
    }

    @Test
    void errorsNameTheFile() {
        ImageException bad = assertThrows(ImageException.class, () -> RegistriesConf.parse("unqualified-search-registries = [", "/x.conf"));
        assertTrue(bad.getMessage().contains("/x.conf"), bad.getMessage());
        ImageException v1 = assertThrows(ImageException.class,
                () -> RegistriesConf.parse("[registries.search]\nregistries = ['docker.io']\n", "/v1.conf"));
        assertTrue(v1.getMessage().contains("version 1"), v1.getMessage());
    }
}
