package io.jpod.engine.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ContainerfileTest {
    private static Containerfile parse(String text) {
        return Containerfile.parse(text, "Containerfile");
    }

    @Test
    void instructionsContinuationsAndComments() {
        Containerfile f = parse("# a comment\nFROM busybox AS base\n\nrun echo a \\\n  # dropped\n   b\nCOPY --from=base --chown=1:2 /x /y\n");
        List<Instruction> in = f.instructions();
        assertEquals(3, in.size());
        assertEquals("FROM", in.get(0).keyword());
        assertEquals(2, in.get(0).line());
        assertEquals("RUN", in.get(1).keyword());
        assertEquals("echo a    b", in.get(1).args());
        assertEquals(4, in.get(1).line());
        assertEquals(List.of("--from=base", "--chown=1:2"), in.get(2).flags());
        assertEquals("base", in.get(2).flag("from"));
        assertEquals("/x /y", in.get(2).args());
        assertEquals(7, in.get(2).line());
    }

    @Test
    void directives() {
        Containerfile f = parse("# syntax=docker/dockerfile:1\n# escape=`\nFROM x\nRUN a `\n b\n");
        assertEquals('`', f.escape());
        assertEquals("docker/dockerfile:1", f.syntax());
        assertEquals("a  b", f.instructions().get(1).args());
        // a directive after an instruction is a comment
        Containerfile g = parse("FROM x\n# escape=`\nRUN a \\\n b\n");
        assertEquals('\\', g.escape());
        assertEquals("a  b", g.instructions().get(1).args());
        BuildFileException e = assertThrows(BuildFileException.class, () -> parse("# escape=x\nFROM a\n"));
        assertTrue(e.getMessage().startsWith("Containerfile:1: invalid escape directive"), e.getMessage());
    }

    @Test
    void unknownInstructionNamesItsLine() {
        BuildFileException e = assertThrows(BuildFileException.class, () -> parse("FROM a\n\nFOO bar\n"));
        assertEquals("Containerfile:3: unknown instruction: FOO", e.getMessage());
    }

    @Test
    void heredocs() {
        Containerfile f = parse("FROM a\nRUN <<EOF\necho one\necho two\nEOF\nCOPY <<-\"X\" /f\n\tline $HOME\n\tX\nCMD x\n");
        Instruction run = f.instructions().get(1);
        assertEquals("<<EOF", run.args());
        assertEquals(List.of(new Heredoc("EOF", "echo one\necho two\n", true)), run.heredocs());
        Instruction copy = f.instructions().get(2);
        assertEquals(List.of(new Heredoc("X", "line $HOME\n", false)), copy.heredocs());
        assertEquals("CMD", f.instructions().get(3).keyword());
        BuildFileException e = assertThrows(BuildFileException.class, () -> parse("FROM a\nRUN <<EOF\necho\n"));
        assertTrue(e.getMessage().startsWith("Containerfile:2: unterminated heredoc EOF"), e.getMessage());
    }

    @Test
    void execAndShellForm() {
        assertEquals(List.of("/bin/sh", "-c", "echo hi"), ExecForm.parse("[\"/bin/sh\", \"-c\", \"echo hi\"]"));
        assertNull(ExecForm.parse("echo [1]"));
        assertNull(ExecForm.parse("[not json]"));
        assertNull(ExecForm.parse("[1, 2]"));
    }

    @Test
    void stagesAndGlobalArgs() {
        Containerfile.Plan p = parse("ARG V=1\nFROM a:${V} AS Build\nRUN x\nFROM scratch\nCOPY --from=build /a /b\n").plan();
        assertEquals(1, p.globalArgs().size());
        assertEquals(2, p.stages().size());
        assertEquals("build", p.stages().get(0).name());
        assertNull(p.stages().get(1).name());
        assertEquals(1, p.stages().get(1).body().size());
        BuildFileException e = assertThrows(BuildFileException.class, () -> parse("RUN x\nFROM a\n").plan());
        assertTrue(e.getMessage().startsWith("Containerfile:1: no FROM before RUN"), e.getMessage());
    }

    @Test
    void expansionFollowsDockerRules() {
        Map<String, String> env = Map.of("A", "x", "E", "");
        Function<String, String> look = env::get;
        assertEquals("x", ShellWords.expand("$A", look, '\\'));
        assertEquals("x-y", ShellWords.expand("${A}-y", look, '\\'));
        assertEquals("def", ShellWords.expand("${U:-def}", look, '\\'));
        assertEquals("def", ShellWords.expand("${E:-def}", look, '\\'));
        assertEquals("", ShellWords.expand("${E-def}", look, '\\'));
        assertEquals("set", ShellWords.expand("${A:+set}", look, '\\'));
        assertEquals("", ShellWords.expand("${E:+set}", look, '\\'));
        assertEquals("set", ShellWords.expand("${E+set}", look, '\\'));
        assertEquals("", ShellWords.expand("${U+set}", look, '\\'));
        assertEquals("$A", ShellWords.expand("'$A'", look, '\\'));
        assertEquals("$A", ShellWords.expand("\\$A", look, '\\'));
        assertEquals("a x", ShellWords.expand("\"a $A\"", look, '\\'));
        assertEquals("nested-x", ShellWords.expand("${U:-nested-${A}}", look, '\\'));
        assertEquals(List.of("a b", "x", "c"), ShellWords.words("\"a b\" $A c", look, '\\'));
        assertEquals(List.of(), ShellWords.words("$U", look, '\\'));
        assertThrows(IllegalArgumentException.class, () -> ShellWords.expand("${U:?must be set}", look, '\\'));
    }

    @Test
    void keyValues() {
        Function<String, String> look = Map.of("A", "x")::get;
        var pairs = KeyValues.pairs("ENV", "K1=$A \"K 2\"=\"v w\" K3=a\\ b", look, '\\', true);
        assertEquals(List.of(Map.entry("K1", "x"), Map.entry("K 2", "v w"), Map.entry("K3", "a b")), pairs);
        assertEquals(List.of(Map.entry("K", "v w $A")), KeyValues.pairs("ENV", "K v w '$A'", look, '\\', true));
        assertThrows(IllegalArgumentException.class, () -> KeyValues.pairs("LABEL", "a=1 b", look, '\\', false));
        var args = KeyValues.args("N D=${A}1", look, '\\');
        assertEquals("N", args.get(0).getKey());
        assertNull(args.get(0).getValue());
        assertEquals("x1", args.get(1).getValue());
    }
}
