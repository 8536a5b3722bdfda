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

    /** 070-build "COPY with ignore": an excluded directory is entered only for an exception pattern below its path. */
    @Test
    void anExcludedDirectoryIsReopenedOnlyByAnExceptionUnderItsPath() {
        IgnoreRules r = IgnoreRules.parse("# comment\ntest*\n!test2*\nsubdir1\nsubdir2\n!*/sub1*\n!subdir1/sub3*\n");
        assertFalse(r.prunes("subdir1"), "!subdir1/sub3* names something below subdir1");
        assertTrue(r.prunes("subdir2"), "!*/sub1* does not reopen a directory (Docker compares the pattern's text)");
        assertFalse(r.excluded("subdir1/sub1"), "inside, the last matching pattern decides: !*/sub1*");
        assertFalse(r.excluded("subdir1/sub3.txt"));
        assertTrue(r.excluded("subdir1/sub2"));
        assertTrue(r.excluded("subdir2/sub1"), "under a pruned directory nothing is seen");
        assertFalse(r.excluded("test2.txt"));
        assertTrue(r.excluded("test1"));
    }
}
