package io.jpod.engine.build;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IgnoreRulesTest {
    @Test
    void dockerPatternRules() {
        IgnoreRules r = IgnoreRules.parse("# comment\n/secret\n*.log\n**/tmp\ndocs/**/*.md\n!docs/keep/README.md\nbuild?\n");
        assertTrue(r.excluded("secret"));
        assertTrue(r.excluded("secret/inner/file"), "a parent directory's match excludes what is under it");
        assertTrue(r.excluded("a.log"));
        assertFalse(r.excluded("dir/a.log"), "* does not cross /");
        assertTrue(r.excluded("tmp"));
        assertTrue(r.excluded("x/y/tmp/z"));
        assertTrue(r.excluded("docs/a.md"));
        assertTrue(r.excluded("docs/a/b/c.md"));
        assertFalse(r.excluded("docs/keep/README.md"), "! re-includes");
        assertTrue(r.excluded("build1"));
        assertFalse(r.excluded("build12"));
        assertFalse(r.excluded("src/main.c"));
        IgnoreRules last = IgnoreRules.parse("!keep\n*\n");
        assertTrue(last.excluded("keep"), "the last matching pattern decides");
    }
}
