package io.jpod.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The part of Go's text/template that podman and docker users put in {@code --format}: {@code {{.Field.Sub}}},
 * pipelines ({@code {{.Names | upper}}}), the functions podman offers (json, lower, upper, title, join, split,
 * index, len, printf, truncate, eq, ne, not, and, or), {@code if}/{@code else}/{@code range}/{@code with}/{@code end},
 * comments and the {@code {{-}}} / {@code -}}} trim markers. Data is a Jackson tree (the same one {@code --format json}
 * prints), printed as Go prints its values: a list as {@code [a b]}, a map as {@code map[k:v]}, a struct inside a
 * list as {@code {v1 v2}} (a lone object prints as a map: it may be labels with capital keys).
 *
 * <p>Go tells a struct from a map: a misspelt struct field is an error, a missing map key prints {@code <no value>}.
 * A tree has only objects, so an object whose keys all start with a capital letter (podman's struct fields) counts
 * as a struct, any other (labels, annotations) as a map.
 */
final class GoTemplate {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NO_VALUE = "<no value>";

    private final List<Node> nodes;
    private final String source;

    private GoTemplate(String source, List<Node> nodes) {
        this.source = source;
        this.nodes = nodes;
    }

    /** Parses {@code text}; a malformed template fails here, before any row is printed. */
    static GoTemplate parse(String text) {
        Parser p = new Parser(text);
        List<Node> nodes = p.parseList(false);
        return new GoTemplate(text, nodes);
    }

    String render(JsonNode data) {
        StringBuilder sb = new StringBuilder();
        exec(nodes, new Scope(data, data, null, java.util.Map.of()), sb);
        return sb.toString();
    }

    /**
     * The template's header line for {@code table} output: each top-level field is printed as its column name
     * ({@code headers}, else the field name in capitals with its words apart: CreatedAt → CREATED AT).
     */
    String renderHeader(Function<String, String> headers) {
        StringBuilder sb = new StringBuilder();
        exec(nodes, new Scope(NullNode.getInstance(), NullNode.getInstance(), headers, java.util.Map.of()), sb);
        return sb.toString();
    }

    static String defaultHeader(String field) {
        return field.replaceAll("([a-z0-9])([A-Z])", "$1 $2").toUpperCase(Locale.ROOT);
    }

    // ---------------------------------------------------------------- evaluation

    /** dot, the root ($), the variables in scope, and in header mode the column names instead of data. */
    private record Scope(JsonNode dot, JsonNode root, Function<String, String> headers, java.util.Map<String, JsonNode> vars) {
        Scope withDot(JsonNode d) {
            return new Scope(d, root, headers, vars);
        }

        Scope withVar(String name, JsonNode value) {
            java.util.Map<String, JsonNode> m = new java.util.HashMap<>(vars);
            m.put(name, value);
            return new Scope(dot, root, headers, m);
        }
    }

    /** A variable declared in a list ({{$x := …}}) is seen by the rest of that list, as in Go. */
    private void exec(List<Node> list, Scope s, StringBuilder out) {
        Scope cur = s;
        for (Node n : list) {
            if (n instanceof Action a && a.declare() != null) {
                cur = cur.withVar(a.declare(), eval(a.pipeline(), cur));
            } else {
                exec(n, cur, out);
            }
        }
    }

    /** The branch's declared variables ({{range $k, $v := …}}, {{with $x := …}}) for one value (key: index or map key). */
    private static Scope declare(Scope s, Branch b, JsonNode key, JsonNode value) {
        if (b.vars().isEmpty()) {
            return s;
        }
        if (b.vars().size() == 1) {
            return s.withVar(b.vars().get(0), value);
        }
        return s.withVar(b.vars().get(0), key).withVar(b.vars().get(1), value);
    }

    private void exec(Node n, Scope s, StringBuilder out) {
        if (n instanceof Text t) {
            out.append(t.text());
        } else if (n instanceof Action a) {
            out.append(print(eval(a.pipeline(), s)));
        } else if (n instanceof Branch b) {
            JsonNode v = eval(b.pipeline(), s);
            boolean header = s.headers() != null;
            switch (b.kind()) {
                case "if" -> exec(header || truth(v) ? b.body() : b.otherwise(), declare(s, b, null, v), out);
                case "with" -> exec(header || truth(v) ? b.body() : b.otherwise(), header ? s : declare(s.withDot(v), b, null, v), out);
                default -> { // range
                    if (header) {
                        exec(b.body(), declare(s, b, TextNode.valueOf(""), TextNode.valueOf("")), out);
                    } else if (v.isArray() && !v.isEmpty()) {
                        int i = 0;
                        for (JsonNode e : v) {
                            exec(b.body(), declare(s.withDot(e), b, JsonNodeFactory.instance.numberNode(i++), e), out);
                        }
                    } else if (v.isObject() && !v.isEmpty()) {
                        for (String k : new TreeMap<>(toMap(v)).keySet()) { // Go ranges over a map in key order
                            exec(b.body(), declare(s.withDot(v.get(k)), b, TextNode.valueOf(k), v.get(k)), out);
                        }
                    } else if (v.isArray() || v.isObject() || v.isNull() || v.isMissingNode()) {
                        exec(b.otherwise(), s, out);
                    } else {
                        throw new TemplateException("range can't iterate over " + print(v));
                    }
                }
            }
        }
    }

    private JsonNode eval(List<Command> pipeline, Scope s) {
        JsonNode piped = null;
        for (Command c : pipeline) {
            piped = eval(c, s, piped);
        }
        return piped;
    }

    private JsonNode eval(Command c, Scope s, JsonNode piped) {
        Operand first = c.args().get(0);
        if (first instanceof Ident fn) {
            List<JsonNode> args = new ArrayList<>();
            for (Operand o : c.args().subList(1, c.args().size())) {
                args.add(value(o, s));
            }
            if (piped != null) {
                args.add(piped);
            }
            return s.headers() != null ? headerOf(args) : call(fn.name(), args);
        }
        if (c.args().size() > 1 || piped != null) {
            throw new TemplateException("can't give arguments to " + first.text() + "; only a function takes them");
        }
        return value(first, s);
    }

    /** In header mode a function shows its first column name (`{{json .Labels}}` → LABELS). */
    private static JsonNode headerOf(List<JsonNode> args) {
        for (JsonNode a : args) {
            if (a.isTextual()) {
                return a;
            }
        }
        return TextNode.valueOf("");
    }

    private JsonNode value(Operand o, Scope s) {
        if (o instanceof Literal l) {
            return l.value();
        }
        if (o instanceof Sub sub) {
            JsonNode v = eval(sub.pipeline(), s);
            return s.headers() != null ? v : walk(v, sub.fields(), sub.text());
        }
        if (o instanceof Var var) {
            if (s.headers() != null) {
                return TextNode.valueOf(var.fields().isEmpty() ? "" : s.headers().apply(var.fields().get(var.fields().size() - 1)));
            }
            JsonNode v = s.vars().get(var.name());
            if (v == null) {
                throw new TemplateException("undefined variable $" + var.name());
            }
            return walk(v, var.fields(), var.text());
        }
        if (o instanceof Field f) {
            if (s.headers() != null) {
                if (f.fields().isEmpty()) {
                    return TextNode.valueOf("");
                }
                return TextNode.valueOf(s.headers().apply(f.fields().get(f.fields().size() - 1)));
            }
            return walk(f.fromRoot() ? s.root() : s.dot(), f.fields(), f.text());
        }
        throw new TemplateException("function \"" + ((Ident) o).name() + "\" used as a value; call it first in a command");
    }

    private static JsonNode walk(JsonNode start, List<String> fields, String text) {
        JsonNode v = start;
        for (String name : fields) {
            if (v == null || v.isNull() || v.isMissingNode()) {
                throw new TemplateException("can't evaluate field " + name + " of " + text + ": the value is empty");
            }
            if (!v.isObject()) {
                throw new TemplateException("can't evaluate field " + name + " in " + kind(v) + " (" + text + ")");
            }
            JsonNode next = v.get(name);
            if (next == null && isStruct(v)) {
                next = sameNameIgnoringCase(v, name);
            }
            if (next == null) {
                if (isStruct(v)) {
                    throw new TemplateException("can't evaluate field " + name + " (" + text + "); the fields here are "
                            + String.join(", ", toMap(v).keySet()));
                }
                return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
            }
            v = next;
        }
        return v;
    }

    /**
     * A struct's field whose name differs from {@code name} only in case: podman's Go field names and their JSON
     * keys (the records jpod prints) differ that way ({@code .ID} of an image is its {@code Id}).
     */
    private static JsonNode sameNameIgnoringCase(JsonNode struct, String name) {
        Iterator<String> names = struct.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (n.equalsIgnoreCase(name)) {
                return struct.get(n);
            }
        }
        return null;
    }

    private static boolean isStruct(JsonNode object) {
        if (object.isEmpty()) {
            return false;
        }
        Iterator<String> names = object.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (n.isEmpty() || !Character.isUpperCase(n.charAt(0))) {
                return false;
            }
        }
        return true;
    }

    private static String kind(JsonNode v) {
        return v.isArray() ? "a list" : v.isTextual() ? "a string" : v.isNumber() ? "a number" : v.isBoolean() ? "a bool" : "a value";
    }

    private static boolean truth(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return false;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isNumber()) {
            return v.doubleValue() != 0;
        }
        if (v.isTextual()) {
            return !v.textValue().isEmpty();
        }
        return !v.isEmpty();
    }

    // ---------------------------------------------------------------- functions

    private static JsonNode call(String fn, List<JsonNode> a) {
        return switch (fn) {
            case "json" -> {
                arity(fn, a, 1);
                try {
                    yield TextNode.valueOf(a.get(0).isMissingNode() ? "null" : JSON.writeValueAsString(a.get(0)));
                } catch (JsonProcessingException e) {
                    throw new TemplateException("json: " + e.getOriginalMessage());
                }
            }
            case "lower" -> text(fn, a, 1, x -> x.toLowerCase(Locale.ROOT));
            case "upper" -> text(fn, a, 1, x -> x.toUpperCase(Locale.ROOT));
            case "title" -> text(fn, a, 1, GoTemplate::title);
            case "join" -> {
                arity(fn, a, 2);
                if (!a.get(0).isArray() && !a.get(0).isNull() && !a.get(0).isMissingNode()) {
                    throw new TemplateException("join wants a list, got " + print(a.get(0)));
                }
                List<String> parts = new ArrayList<>();
                a.get(0).forEach(e -> parts.add(print(e)));
                yield TextNode.valueOf(String.join(print(a.get(1)), parts));
            }
            case "split" -> {
                arity(fn, a, 2);
                ArrayNode out = JsonNodeFactory.instance.arrayNode();
                String s = print(a.get(0));
                String sep = print(a.get(1));
                if (sep.isEmpty()) {
                    s.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
                } else {
                    for (String part : s.split(java.util.regex.Pattern.quote(sep), -1)) {
                        out.add(part);
                    }
                }
                yield out;
            }
            case "index" -> {
                if (a.isEmpty()) {
                    throw new TemplateException("index wants a map or list and keys");
                }
                JsonNode v = a.get(0);
                for (JsonNode key : a.subList(1, a.size())) {
                    if (v.isArray() && key.isIntegralNumber()) {
                        if (key.asInt() < 0 || key.asInt() >= v.size()) {
                            throw new TemplateException("index out of range: " + key.asInt());
                        }
                        v = v.get(key.asInt());
                    } else if (v.isObject() && key.isTextual()) {
                        v = v.has(key.textValue()) ? v.get(key.textValue()) : com.fasterxml.jackson.databind.node.MissingNode.getInstance();
                    } else if (v.isNull() || v.isMissingNode()) {
                        v = com.fasterxml.jackson.databind.node.MissingNode.getInstance();
                    } else {
                        throw new TemplateException("can't index " + kind(v) + " with " + print(key));
                    }
                }
                yield v;
            }
            case "len" -> {
                arity(fn, a, 1);
                JsonNode v = a.get(0);
                if (v.isTextual()) {
                    yield JsonNodeFactory.instance.numberNode(v.textValue().length());
                }
                if (v.isContainerNode() || v.isNull() || v.isMissingNode()) {
                    yield JsonNodeFactory.instance.numberNode(v.size());
                }
                throw new TemplateException("len of " + kind(v));
            }
            case "truncate" -> {
                arity(fn, a, 2);
                String s = print(a.get(0));
                int n = a.get(1).asInt();
                yield TextNode.valueOf(s.length() <= n ? s : s.substring(0, Math.max(0, n)));
            }
            case "printf" -> {
                if (a.isEmpty()) {
                    throw new TemplateException("printf wants a format");
                }
                yield TextNode.valueOf(printf(print(a.get(0)), a.subList(1, a.size())));
            }
            case "eq" -> {
                if (a.size() < 2) {
                    throw new TemplateException("eq wants two or more values");
                }
                boolean any = false;
                for (JsonNode x : a.subList(1, a.size())) {
                    any |= same(a.get(0), x);
                }
                yield JsonNodeFactory.instance.booleanNode(any);
            }
            case "ne" -> {
                arity(fn, a, 2);
                yield JsonNodeFactory.instance.booleanNode(!same(a.get(0), a.get(1)));
            }
            case "not" -> {
                arity(fn, a, 1);
                yield JsonNodeFactory.instance.booleanNode(!truth(a.get(0)));
            }
            case "and" -> {
                JsonNode last = a.isEmpty() ? NullNode.getInstance() : a.get(0);
                for (JsonNode x : a) {
                    last = x;
                    if (!truth(x)) {
                        break;
                    }
                }
                yield last;
            }
            case "or" -> {
                JsonNode last = a.isEmpty() ? NullNode.getInstance() : a.get(0);
                for (JsonNode x : a) {
                    last = x;
                    if (truth(x)) {
                        break;
                    }
                }
                yield last;
            }
            default -> throw new TemplateException("function \"" + fn + "\" not defined; jpod knows json, lower, upper, title, "
                    + "join, split, index, len, truncate, printf, eq, ne, not, and, or");
        };
    }

    private static boolean same(JsonNode x, JsonNode y) {
        if (x.isNumber() && y.isNumber()) {
            return x.decimalValue().compareTo(y.decimalValue()) == 0;
        }
        return print(x).equals(print(y)) && x.getNodeType() == y.getNodeType();
    }

    private static void arity(String fn, List<JsonNode> a, int n) {
        if (a.size() != n) {
            throw new TemplateException("wrong number of args for " + fn + ": want " + n + " got " + a.size());
        }
    }

    private static JsonNode text(String fn, List<JsonNode> a, int n, Function<String, String> f) {
        arity(fn, a, n);
        return TextNode.valueOf(f.apply(print(a.get(0))));
    }

    private static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean start = true;
        for (char ch : s.toCharArray()) {
            sb.append(start ? Character.toUpperCase(ch) : ch);
            start = !Character.isLetterOrDigit(ch);
        }
        return sb.toString();
    }

    /** Go's verbs %s %v %d %q %t %%, with flags and width (%-20s, %5d). */
    private static String printf(String format, List<JsonNode> args) {
        StringBuilder out = new StringBuilder();
        int next = 0;
        for (int i = 0; i < format.length(); i++) {
            char ch = format.charAt(i);
            if (ch != '%') {
                out.append(ch);
                continue;
            }
            int j = i + 1;
            while (j < format.length() && "-+ 0#".indexOf(format.charAt(j)) >= 0) {
                j++;
            }
            while (j < format.length() && (Character.isDigit(format.charAt(j)) || format.charAt(j) == '.')) {
                j++;
            }
            if (j >= format.length()) {
                out.append("%!(NOVERB)");
                break;
            }
            char verb = format.charAt(j);
            String flags = format.substring(i + 1, j);
            i = j;
            if (verb == '%') {
                out.append('%');
                continue;
            }
            if (next >= args.size()) {
                out.append("%!").append(verb).append("(MISSING)");
                continue;
            }
            JsonNode arg = args.get(next++);
            String s = switch (verb) {
                case 'd' -> arg.isIntegralNumber() ? String.format(Locale.ROOT, "%" + flags + "d", arg.longValue())
                        : "%!d(" + print(arg) + ")";
                case 'q' -> String.format(Locale.ROOT, "%" + flags + "s", quote(print(arg)));
                default -> String.format(Locale.ROOT, "%" + flags + "s", print(arg)); // s, v, t
            };
            out.append(s);
        }
        return out.toString();
    }

    private static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Go's default formatting of a value. */
    static String print(JsonNode v) {
        if (v == null || v.isMissingNode()) {
            return NO_VALUE;
        }
        if (v.isNull()) {
            return "<nil>";
        }
        if (v.isTextual()) {
            return v.textValue();
        }
        if (v.isIntegralNumber() || v.isBoolean()) {
            return v.asText();
        }
        if (v.isNumber()) {
            double d = v.doubleValue();
            return d == Math.rint(d) && Math.abs(d) < 1e21 ? Long.toString((long) d) : Double.toString(d);
        }
        if (v.isArray()) {
            List<String> parts = new ArrayList<>();
            // a slice's elements with podman's field names are its structs, which Go prints as {v1 v2}
            // (PortBindings' [{ 8080}]); a lone object stays a map: labels may have capital keys too
            v.forEach(e -> parts.add(e.isObject() && isStruct(e) ? printStruct(e) : print(e)));
            return "[" + String.join(" ", parts) + "]";
        }
        if (v.isObject()) {
            List<String> parts = new ArrayList<>();
            new TreeMap<>(toMap(v)).forEach((k, x) -> parts.add(k + ":" + print(x)));
            return "map[" + String.join(" ", parts) + "]";
        }
        return v.asText();
    }

    private static String printStruct(JsonNode struct) {
        List<String> parts = new ArrayList<>();
        struct.forEach(x -> parts.add(print(x)));
        return "{" + String.join(" ", parts) + "}";
    }

    private static java.util.Map<String, JsonNode> toMap(JsonNode object) {
        java.util.Map<String, JsonNode> m = new java.util.LinkedHashMap<>();
        object.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }

    @Override
    public String toString() {
        return source;
    }

    // ---------------------------------------------------------------- syntax

    private sealed interface Node permits Text, Action, Branch {
    }

    private record Text(String text) implements Node {
    }

    /** A pipeline to print, or (declare: a variable name) to keep in that variable. */
    private record Action(List<Command> pipeline, String declare) implements Node {
    }

    /** if / with / range, the variables it declares ($v, or $i/$k and $v for range), the else part (empty if none). */
    private record Branch(String kind, List<String> vars, List<Command> pipeline, List<Node> body, List<Node> otherwise) implements Node {
    }

    private record Command(List<Operand> args) {
    }

    private sealed interface Operand permits Field, Var, Literal, Ident, Sub {
        String text();
    }

    /** {@code .A.B} (fromRoot: {@code $.A.B}); no fields: dot itself. */
    private record Field(boolean fromRoot, List<String> fields, String text) implements Operand {
    }

    /** {@code $name.A.B}. */
    private record Var(String name, List<String> fields, String text) implements Operand {
    }

    private record Literal(JsonNode value, String text) implements Operand {
    }

    private record Ident(String name) implements Operand {
        @Override
        public String text() {
            return name;
        }
    }

    /** {@code (pipeline).A.B}. */
    private record Sub(List<Command> pipeline, List<String> fields, String text) implements Operand {
    }

    /** Parse and evaluation errors: the CLI reports them as a bad --format. */
    static final class TemplateException extends RuntimeException {
        TemplateException(String message) {
            super(message);
        }
    }

    /** {{$x := pipeline}} (or = to assign again). */
    private static final Pattern DECLARATION = Pattern.compile("\\$([A-Za-z_]\\w*)\\s*:?=\\s*(.+)", Pattern.DOTALL);
    /** range $i, $e := …, range $e := …, with $x := …, if $x := …. */
    private static final Pattern BRANCH_DECLARATION = Pattern.compile(
            "\\$([A-Za-z_]\\w*)\\s*(?:,\\s*\\$([A-Za-z_]\\w*)\\s*)?:=\\s*(.+)", Pattern.DOTALL);

    private static final class Parser {
        private final String src;
        private int pos;
        /** A {@code -}}} trims the white space that follows it: the next text starts trimmed. */
        private boolean trimNext;

        Parser(String src) {
            this.src = src;
        }

        /** Nodes up to the end, or (inBlock) up to an else/end action, which is left for the caller to read. */
        List<Node> parseList(boolean inBlock) {
            List<Node> out = new ArrayList<>();
            while (pos < src.length()) {
                int open = src.indexOf("{{", pos);
                String text = open < 0 ? src.substring(pos) : src.substring(pos, open);
                boolean trimBefore = open >= 0 && src.startsWith("{{-", open) && open + 3 < src.length()
                        && Character.isWhitespace(src.charAt(open + 3));
                if (trimNext) {
                    text = text.stripLeading();
                }
                if (trimBefore) {
                    text = text.stripTrailing();
                }
                trimNext = false;
                if (!text.isEmpty()) {
                    out.add(new Text(text));
                }
                if (open < 0) {
                    pos = src.length();
                    break;
                }
                int bodyStart = open + (trimBefore ? 3 : 2);
                int close = findClose(bodyStart);
                boolean trimAfter = close - 1 >= bodyStart && src.charAt(close - 1) == '-'
                        && close - 2 >= bodyStart && Character.isWhitespace(src.charAt(close - 2));
                String body = src.substring(bodyStart, trimAfter ? close - 1 : close).strip();
                int after = close + 2;
                if (body.startsWith("/*")) {
                    if (!body.endsWith("*/")) {
                        throw new TemplateException("unclosed comment");
                    }
                    pos = after;
                    trimNext = trimAfter;
                    continue;
                }
                String keyword = body.split("\\s+", 2)[0];
                if (keyword.equals("else") || keyword.equals("end")) {
                    if (!inBlock) {
                        throw new TemplateException("unexpected {{" + keyword + "}}");
                    }
                    pos = open; // the caller reads it
                    return out;
                }
                pos = after;
                trimNext = trimAfter;
                if (keyword.equals("if") || keyword.equals("with") || keyword.equals("range")) {
                    out.add(parseBranch(keyword, body.substring(keyword.length()).strip()));
                } else {
                    java.util.regex.Matcher decl = DECLARATION.matcher(body);
                    out.add(decl.matches() ? new Action(new Lexer(decl.group(2)).pipeline(), decl.group(1))
                            : new Action(new Lexer(body).pipeline(), null));
                }
            }
            if (inBlock) {
                throw new TemplateException("unexpected end of template: an {{if}}, {{range}} or {{with}} lacks its {{end}}");
            }
            return out;
        }

        private Branch parseBranch(String kind, String text) {
            List<String> vars = new ArrayList<>();
            java.util.regex.Matcher decl = BRANCH_DECLARATION.matcher(text);
            String pipelineText = text;
            if (decl.matches()) {
                vars.add(decl.group(1));
                if (decl.group(2) != null) {
                    if (!kind.equals("range")) {
                        throw new TemplateException("only range declares two variables: " + text);
                    }
                    vars.add(decl.group(2));
                }
                pipelineText = decl.group(3);
            }
            if (pipelineText.isEmpty()) {
                throw new TemplateException("missing value for " + kind);
            }
            List<Command> pipeline = new Lexer(pipelineText).pipeline();
            List<Node> body = parseList(true);
            String next = readControl();
            List<Node> otherwise = List.of();
            if (next.equals("else")) {
                otherwise = parseList(true);
                String end = readControl();
                if (!end.equals("end")) {
                    throw new TemplateException("expected {{end}} after {{else}}, found {{" + end + "}}");
                }
            } else if (next.startsWith("else ")) { // else if / else with
                String rest = next.substring(5).strip();
                String k = rest.split("\\s+", 2)[0];
                if (!k.equals("if") && !k.equals("with")) {
                    throw new TemplateException("unexpected {{" + next + "}}");
                }
                otherwise = List.of(parseBranch(k, rest.substring(k.length()).strip()));
            }
            return new Branch(kind, vars, pipeline, body, otherwise);
        }

        /** Reads the else/end action at pos; returns its body ("end", "else", "else if …"). */
        private String readControl() {
            boolean trimBefore = src.startsWith("{{-", pos) && pos + 3 < src.length() && Character.isWhitespace(src.charAt(pos + 3));
            int bodyStart = pos + (trimBefore ? 3 : 2);
            int close = findClose(bodyStart);
            boolean trimAfter = close - 2 >= bodyStart && src.charAt(close - 1) == '-' && Character.isWhitespace(src.charAt(close - 2));
            String body = src.substring(bodyStart, trimAfter ? close - 1 : close).strip();
            pos = close + 2;
            trimNext = trimAfter;
            return body;
        }

        /** The "}}" closing an action that starts at from, skipping quoted strings. */
        private int findClose(int from) {
            int i = from;
            while (i < src.length()) {
                char ch = src.charAt(i);
                if (ch == '"' || ch == '`') {
                    int j = i + 1;
                    while (j < src.length() && src.charAt(j) != ch) {
                        j += ch == '"' && src.charAt(j) == '\\' ? 2 : 1;
                    }
                    i = j + 1;
                    continue;
                }
                if (src.startsWith("}}", i)) {
                    return i;
                }
                i++;
            }
            throw new TemplateException("unclosed action: a {{ without its }}");
        }
    }

    /** The inside of one action: commands separated by |, each a list of operands. */
    private static final class Lexer {
        private final String s;
        private int i;

        Lexer(String s) {
            this.s = s;
        }

        List<Command> pipeline() {
            List<Command> out = new ArrayList<>();
            List<Operand> args = new ArrayList<>();
            while (true) {
                skipSpace();
                if (i >= s.length() || s.charAt(i) == ')') {
                    break;
                }
                if (s.charAt(i) == '|') {
                    if (args.isEmpty()) {
                        throw new TemplateException("missing command before | in \"" + s + "\"");
                    }
                    out.add(new Command(args));
                    args = new ArrayList<>();
                    i++;
                    continue;
                }
                args.add(operand());
            }
            if (args.isEmpty()) {
                throw new TemplateException(out.isEmpty() ? "empty action {{}}" : "missing command after | in \"" + s + "\"");
            }
            out.add(new Command(args));
            return out;
        }

        private Operand operand() {
            int start = i;
            char ch = s.charAt(i);
            if (ch == '"') {
                int j = i + 1;
                StringBuilder sb = new StringBuilder();
                while (j < s.length() && s.charAt(j) != '"') {
                    char c = s.charAt(j);
                    if (c == '\\' && j + 1 < s.length()) {
                        char e = s.charAt(++j);
                        sb.append(switch (e) {
                            case 'n' -> '\n';
                            case 't' -> '\t';
                            case 'r' -> '\r';
                            default -> e;
                        });
                    } else {
                        sb.append(c);
                    }
                    j++;
                }
                if (j >= s.length()) {
                    throw new TemplateException("unterminated string in \"" + s + "\"");
                }
                i = j + 1;
                return new Literal(TextNode.valueOf(sb.toString()), s.substring(start, i));
            }
            if (ch == '`') {
                int j = s.indexOf('`', i + 1);
                if (j < 0) {
                    throw new TemplateException("unterminated raw string in \"" + s + "\"");
                }
                i = j + 1;
                return new Literal(TextNode.valueOf(s.substring(start + 1, j)), s.substring(start, i));
            }
            if (ch == '(') {
                i++;
                List<Command> inner = pipeline();
                if (i >= s.length() || s.charAt(i) != ')') {
                    throw new TemplateException("unclosed ( in \"" + s + "\"");
                }
                i++;
                List<String> fields = fieldChain();
                return new Sub(inner, fields, s.substring(start, i));
            }
            if (ch == '.') {
                List<String> fields = fieldChain();
                return new Field(false, fields, s.substring(start, i));
            }
            if (ch == '$') {
                i++;
                if (i < s.length() && (Character.isLetter(s.charAt(i)) || s.charAt(i) == '_')) {
                    int j = i;
                    while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
                        j++;
                    }
                    String name = s.substring(i, j);
                    i = j;
                    List<String> fields = fieldChain();
                    return new Var(name, fields, s.substring(start, i));
                }
                List<String> fields = fieldChain();
                return new Field(true, fields, s.substring(start, i));
            }
            if (ch == '-' || Character.isDigit(ch)) {
                int j = i + 1;
                while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '.')) {
                    j++;
                }
                String num = s.substring(i, j);
                i = j;
                try {
                    return new Literal(num.contains(".") ? JsonNodeFactory.instance.numberNode(Double.parseDouble(num))
                            : JsonNodeFactory.instance.numberNode(Long.parseLong(num)), num);
                } catch (NumberFormatException e) {
                    throw new TemplateException("bad number " + num);
                }
            }
            if (Character.isLetter(ch) || ch == '_') {
                int j = i;
                while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
                    j++;
                }
                String word = s.substring(i, j);
                i = j;
                return switch (word) {
                    case "true", "false" -> new Literal(JsonNodeFactory.instance.booleanNode(word.equals("true")), word);
                    case "nil" -> new Literal(NullNode.getInstance(), word);
                    default -> new Ident(word);
                };
            }
            throw new TemplateException("unexpected \"" + ch + "\" in \"" + s + "\"");
        }

        /** ".A.B" from i (a lone "." is dot itself). */
        private List<String> fieldChain() {
            List<String> fields = new ArrayList<>();
            while (i < s.length() && s.charAt(i) == '.') {
                int j = i + 1;
                while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
                    j++;
                }
                if (j == i + 1) {
                    if (!fields.isEmpty()) {
                        throw new TemplateException("bad field name in \"" + s + "\"");
                    }
                    i = j; // "." alone
                    return fields;
                }
                fields.add(s.substring(i + 1, j));
                i = j;
            }
            return fields;
        }

        private void skipSpace() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }
    }
}
