package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * `search` and `image search` against a real registry (610-format runs `search $IMAGE --format '{{"\n"}}'`): a v2
 * registry's catalog matched by the term, --list-tags, podman's columns, JSON and Go-template fields from the same
 * rows, --limit, --filter and its errors.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SearchTest {
    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("libsearch/searchimage");
    private static JpodEnv env; // set by FX
    private static String registry;
    private static String repository;

    @BeforeAll
    static void setUp() {
        registry = FX.registry().hostPort();
        repository = registry + "/libsearch/searchimage";
        env.ok("tag", FX.image(), repository + ":second");
        env.ok("push", repository + ":second");
        env.ok("tag", FX.image(), registry + "/other/thing:1");
        env.ok("push", registry + "/other/thing:1");
    }

    @Test
    void findsRepositoriesOfTheCatalogInPodmansColumns() {
        String rows = env.ok("search", registry + "/searchim").stdout();
        assertTrue(rows.lines().findFirst().orElse("").matches("NAME +DESCRIPTION"), rows);
        assertTrue(rows.lines().skip(1).allMatch(l -> l.startsWith(repository + " ")), rows);
        assertEquals(2, rows.lines().count(), rows);
        // the whole catalog, and a term that matches nothing (no output, exit 0)
        assertEquals(repository + "\n" + registry + "/other/thing\n",
                env.ok("image", "search", "--format", "{{.Name}}", registry + "/").stdout()); // the catalog is in name order
        assertEquals("", env.ok("search", registry + "/nothing-like-it").stdout());
        // a tag in the term is part of the term (no repository name contains it), as in podman
        assertEquals("", env.ok("search", FX.image(), "--format", "{{\"\\n\"}}").stdout());
        assertEquals(1, env.ok("search", "--limit", "1", "--format", "{{.Name}}", registry + "/").stdout().lines().count());
    }

    @Test
    void jsonAndTemplatesShowTheSameFields() {
        String json = env.ok("search", "--format", "json", registry + "/searchimage").stdout();
        for (String key : new String[]{"\"Index\" : \"" + registry + "\"", "\"Name\" : \"" + repository + "\"", "\"Description\" : \"\"",
                "\"Stars\" : 0", "\"Official\" : \"\"", "\"Automated\" : \"\"", "\"Tag\" : \"\""}) {
            assertTrue(json.contains(key), key + " in " + json);
        }
        assertEquals(registry + "|" + repository + "|0|||\n",
                env.ok("search", "--format", "{{.Index}}|{{.Name}}|{{.Stars}}|{{.Official}}|{{.Automated}}|{{.Tag}}", registry + "/searchimage").stdout());
        String compatible = env.ok("search", "--compatible", registry + "/searchimage").stdout();
        assertTrue(compatible.lines().findFirst().orElse("").matches("NAME +DESCRIPTION +STARS +OFFICIAL +AUTOMATED"), compatible);
    }

    @Test
    void listTagsNamesEachTagAndGroupsThemInJson() {
        String table = env.ok("search", "--list-tags", repository).stdout();
        assertTrue(table.lines().findFirst().orElse("").matches("NAME +TAG"), table);
        assertTrue(table.lines().anyMatch(l -> l.matches(java.util.regex.Pattern.quote(repository) + " +latest")), table);
        assertTrue(table.lines().anyMatch(l -> l.matches(java.util.regex.Pattern.quote(repository) + " +second")), table);
        assertEquals(2, env.ok("search", "--list-tags", "--limit=1", repository).stdout().lines().count());
        String json = env.ok("search", "--list-tags", "--format", "json", repository).stdout();
        assertTrue(json.contains("\"Name\" : \"" + repository + "\"") && json.contains("\"Tags\" : [") && json.contains("\"second\""), json);
    }

    @Test
    void filtersKeepRowsOrAreRefusedWithPodmansMessages() {
        assertEquals(repository + "\n", env.ok("search", "--filter", "stars=0", "--format", "{{.Name}}", registry + "/searchimage").stdout());
        assertEquals("", env.ok("search", "--filter=stars=3", registry + "/searchimage").stdout());
        assertEquals("", env.ok("search", "-f", "is-official", registry + "/searchimage").stdout());
        assertEquals(repository + "\n", env.ok("search", "-f", "is-official=false", "--format", "{{.Name}}", registry + "/searchimage").stdout());
        refused("Error: invalid filter type \"bogus=1\"\n", "search", "--filter", "bogus=1", registry + "/");
        refused("Error: filters are not applicable to list tags result\n", "search", "--list-tags", "--filter", "is-official", repository);
        Result noRegistry = env.run(JpodEnv.NORMAL, "search", "127.0.0.1:1/x");
        assertEquals(125, noRegistry.exitCode(), noRegistry::toString);
        assertTrue(noRegistry.stderr().startsWith("Error: couldn't search registry \"127.0.0.1:1\": "), noRegistry::toString);
        assertEquals(1, noRegistry.stderr().lines().count(), noRegistry::toString);
    }

    private static void refused(String message, String... args) {
        Result r = env.run(JpodEnv.NORMAL, args);
        assertEquals(125, r.exitCode(), r::toString);
        assertEquals(message, r.stderr());
    }
}
