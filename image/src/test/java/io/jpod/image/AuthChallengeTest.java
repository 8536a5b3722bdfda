package io.jpod.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthChallengeTest {

    @Test
    void dockerHubBearer() {
        List<AuthChallenge> cs = AuthChallenge.parse(
                "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/alpine:pull\"");
        assertEquals(1, cs.size());
        AuthChallenge c = cs.get(0);
        assertEquals("bearer", c.scheme());
        assertEquals("https://auth.docker.io/token", c.param("realm"));
        assertEquals("registry.docker.io", c.param("service"));
        assertEquals("repository:library/alpine:pull", c.param("scope"));
        assertNull(c.token68());
    }

    @Test
    void quotedCommasEscapesAndSpaces() {
        AuthChallenge c = AuthChallenge.parse("bearer  Realm = \"https://h/t?a=1,b=2\" , service=reg , scope=\"repository:x:pull,push\","
                + " error=\"insufficient_scope\", msg=\"say \\\"hi\\\" \\\\ there\"").get(0);
        assertEquals("bearer", c.scheme());
        assertEquals("https://h/t?a=1,b=2", c.param("realm"));
        assertEquals("reg", c.param("service"));
        assertEquals("repository:x:pull,push", c.param("scope"));
        assertEquals("insufficient_scope", c.param("error"));
        assertEquals("say \"hi\" \\ there", c.param("msg"));
    }

    @Test
    void severalChallengesInOneHeader() {
        List<AuthChallenge> cs = AuthChallenge.parse("Basic realm=\"Registry Realm\", Bearer realm=\"https://a/t\",service=\"s\"");
        assertEquals(2, cs.size());
        assertEquals("basic", cs.get(0).scheme());
        assertEquals(Map.of("realm", "Registry Realm"), cs.get(0).params());
        assertEquals("bearer", cs.get(1).scheme());
        assertEquals("https://a/t", cs.get(1).param("realm"));
        assertEquals("s", cs.get(1).param("service"));
    }

    @Test
    void bareSchemesAndToken68() {
        List<AuthChallenge> cs = AuthChallenge.parse("Negotiate, Basic, NTLM abc/DEF+g==, Custom k=v");
        assertEquals(4, cs.size());
        assertEquals("negotiate", cs.get(0).scheme());
        assertTrue(cs.get(0).params().isEmpty());
        assertEquals("basic", cs.get(1).scheme());
        assertEquals("ntlm", cs.get(2).scheme());
        assertEquals("abc/DEF+g==", cs.get(2).token68());
        assertEquals("v", cs.get(3).param("k"));
    }

    @Test
    void multipleHeaderValues() {
        List<AuthChallenge> cs = AuthChallenge.parseAll(List.of("Basic realm=\"x\"", "Bearer realm=\"https://t\""));
        assertEquals(List.of("basic", "bearer"), cs.stream().map(AuthChallenge::scheme).toList());
    }

    @Test
    void malformedInputDoesNotThrow() {
        assertEquals(List.of(), AuthChallenge.parse(""));
        assertEquals(List.of(), AuthChallenge.parse(null));
        assertEquals(List.of(), AuthChallenge.parse(" , ,"));
        AuthChallenge c = AuthChallenge.parse("Bearer realm=\"https://unterminated").get(0);
        assertEquals("https://unterminated", c.param("realm"));
        AuthChallenge d = AuthChallenge.parse("Bearer realm=\"r\", =junk").get(0);
        assertEquals("r", d.param("realm"));
        // first occurrence of a duplicate parameter wins
        assertEquals("a", AuthChallenge.parse("Bearer realm=a, realm=b").get(0).param("realm"));
    }
}
