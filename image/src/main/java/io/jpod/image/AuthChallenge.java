package io.jpod.image;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One challenge of a {@code WWW-Authenticate} header (RFC 7235 §4.1):
 * {@code challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ]}, {@code auth-param = token BWS "=" BWS ( token / quoted-string )}.
 * A header value may hold several challenges separated by commas, which is why a real parser is needed:
 * a comma may end a parameter, end a challenge, or sit inside a quoted realm.
 *
 * @param scheme  lowercase ("bearer", "basic")
 * @param params  parameter names lowercase, values unquoted
 * @param token68 the token68 form, if used instead of parameters (null otherwise)
 */
public record AuthChallenge(String scheme, Map<String, String> params, String token68) {

    public AuthChallenge {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    public String param(String name) {
        return params.get(name.toLowerCase(Locale.ROOT));
    }

    /** Parses all challenges of all given header values; malformed parts are skipped rather than failing the request. */
    public static List<AuthChallenge> parseAll(List<String> headerValues) {
        List<AuthChallenge> out = new ArrayList<>();
        for (String v : headerValues) {
            out.addAll(parse(v));
        }
        return out;
    }

    public static List<AuthChallenge> parse(String header) {
        return new Parser(header == null ? "" : header).challenges();
    }

    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        List<AuthChallenge> challenges() {
            List<AuthChallenge> out = new ArrayList<>();
            while (true) {
                skipWhitespaceAndCommas();
                if (eof()) {
                    return out;
                }
                String scheme = token();
                if (scheme.isEmpty()) {
                    pos++; // not a token character where a scheme must start: skip it and resynchronise
                    continue;
                }
                Map<String, String> params = new LinkedHashMap<>();
                String token68 = null;
                boolean first = true; // token68 is only possible directly after the scheme
                while (true) {
                    int save = pos;
                    boolean sawComma = skipWhitespaceAndCommas();
                    if (eof()) {
                        break;
                    }
                    boolean token68Possible = first && !sawComma && save < pos;
                    first = false;
                    int nameStart = pos;
                    String name = token();
                    if (name.isEmpty()) {
                        if (peek() == '"') {
                            quoted(); // stray quoted string: skip it
                        } else {
                            pos++;
                        }
                        continue;
                    }
                    skipSpaces();
                    if (peek() != '=') {
                        if (token68Possible && (eof() || peek() == ',')) {
                            token68 = name;
                            continue;
                        }
                        pos = save; // the next challenge's scheme
                        break;
                    }
                    pos++; // '='
                    if (token68Possible && (peek() == '=' || eof() || peek() == ',')) {
                        // token68 with base64 padding, e.g. "Negotiate abc=="
                        while (peek() == '=') {
                            pos++;
                        }
                        token68 = s.substring(nameStart, pos).replace(" ", "");
                        continue;
                    }
                    skipSpaces();
                    String value = peek() == '"' ? quoted() : token();
                    params.putIfAbsent(name.toLowerCase(Locale.ROOT), value);
                }
                out.add(new AuthChallenge(scheme.toLowerCase(Locale.ROOT), params, token68));
            }
        }

        private String token() {
            int start = pos;
            while (!eof() && isTchar(s.charAt(pos))) {
                pos++;
            }
            return s.substring(start, pos);
        }

        /** Reads a quoted-string starting at '"'; backslash escapes the next character; an unterminated string runs to the end. */
        private String quoted() {
            StringBuilder b = new StringBuilder();
            pos++; // opening quote
            while (!eof()) {
                char c = s.charAt(pos++);
                if (c == '"') {
                    return b.toString();
                }
                if (c == '\\' && !eof()) {
                    c = s.charAt(pos++);
                }
                b.append(c);
            }
            return b.toString();
        }

        private void skipSpaces() {
            while (!eof() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t')) {
                pos++;
            }
        }

        /** Returns whether a comma was skipped. */
        private boolean skipWhitespaceAndCommas() {
            boolean comma = false;
            while (!eof() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t' || s.charAt(pos) == ',')) {
                comma |= s.charAt(pos) == ',';
                pos++;
            }
            return comma;
        }

        private char peek() {
            return eof() ? '\0' : s.charAt(pos);
        }

        private boolean eof() {
            return pos >= s.length();
        }

        /** RFC 7230 tchar, plus '/' so token68 values (base64) read as one token. */
        private static boolean isTchar(char c) {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
                return true;
            }
            return "!#$%&'*+-.^_`|~/".indexOf(c) >= 0;
        }
    }
}
