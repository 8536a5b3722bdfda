package io.jpod.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class GoTemplateTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode data() throws Exception {
        return JSON.readTree("""
                {"Id":"abc","Name":"web","State":{"Status":"running","Pid":42,"Running":true,"ExitCode":0},
                 "Config":{"Cmd":["sleep","100"],"Env":["A=1","B=2"],"Labels":{"app":"web","tier":"front"},"Volumes":null},
                 "Ports":[],"Size":1.5,"Count":3}""");
    }

    private static String render(String template) throws Exception {
        return GoTemplate.parse(template).render(data());
    }

    @Test
    void fieldsAndNestedFieldsPrintAsGoDoes() throws Exception {
        assertEquals("web running 42 true", render("{{.Name}} {{.State.Status}} {{.State.Pid}} {{.State.Running}}"));
        assertEquals("[sleep 100]", render("{{.Config.Cmd}}"));
        assertEquals("map[app:web tier:front]", render("{{.Config.Labels}}"));
        assertEquals("<nil> [] 1.5 3", render("{{.Config.Volumes}} {{.Ports}} {{.Size}} {{.Count}}"));
        assertEquals("plain text", render("plain text"));
    }

    /** 700-play "hostport": a slice of structs prints as Go prints it, the map around it as a map. */
    @Test
    void structsInASlicePrintAsGoStructs() throws Exception {
        JsonNode pod = JSON.readTree("{\"InfraConfig\":{\"PortBindings\":{\"8080/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8080\"}]}}}");
        assertEquals("map[8080/tcp:[{ 8080}]]", GoTemplate.parse("{{.InfraConfig.PortBindings}}").render(pod));
        JsonNode labels = JSON.readTree("{\"L\":[{\"app\":\"x\"}]}");
        assertEquals("[map[app:x]]", GoTemplate.parse("{{.L}}").render(labels));
    }

    @Test
    void aStructFieldMatchesItsJsonKeyRegardlessOfCase() throws Exception {
        assertEquals("abc running", render("{{.ID}} {{.state.STATUS}}")); // podman's .ID is the JSON "Id"
        assertEquals("<no value>", render("{{.Config.Labels.APP}}")); // map keys stay exact
    }

    @Test
    void aMissingStructFieldIsAnErrorButAMissingMapKeyPrintsNoValue() throws Exception {
        GoTemplate.TemplateException e = assertThrows(GoTemplate.TemplateException.class, () -> render("{{.State.Bogus}}"));
        assertTrue(e.getMessage().contains("Bogus") && e.getMessage().contains("Status"), e.getMessage());
        assertEquals("<no value>", render("{{.Config.Labels.missing}}"));
        assertEquals("<no value>", render("{{index .Config.Labels \"missing\"}}"));
    }

    @Test
    void functions() throws Exception {
        assertEquals("[\"sleep\",\"100\"]", render("{{json .Config.Cmd}}"));
        assertEquals("{\"Status\":\"running\",\"Pid\":42,\"Running\":true,\"ExitCode\":0}", render("{{json .State}}"));
        assertEquals("WEB web Web", render("{{upper .Name}} {{lower \"WEB\"}} {{title .Name}}"));
        assertEquals("A=1,B=2", render("{{join .Config.Env \",\"}}"));
        assertEquals("front", render("{{index .Config.Labels \"tier\"}}"));
        assertEquals("100", render("{{index .Config.Cmd 1}}"));
        assertEquals("2 3", render("{{len .Config.Env}} {{len .Name}}"));
        assertEquals("we", render("{{truncate .Name 2}}"));
        assertEquals("[a b c]", render("{{split \"a:b:c\" \":\"}}"));
        assertEquals("web   |0042|\"web\"|50%", render("{{printf \"%-5s |%04d|%q|%d%%\" .Name .State.Pid .Name 50}}"));
    }

    @Test
    void pipelinesPassTheValueAsTheLastArgument() throws Exception {
        assertEquals("WEB", render("{{.Name | upper}}"));
        assertEquals("SLEEP,100", render("{{join .Config.Cmd \",\" | upper}}"));
        assertEquals("web", render("{{(index .Config.Labels \"app\")}}"));
    }

    @Test
    void conditionsAndLoops() throws Exception {
        assertEquals("up", render("{{if .State.Running}}up{{else}}down{{end}}"));
        assertEquals("down", render("{{if .State.ExitCode}}up{{else}}down{{end}}"));
        assertEquals("second", render("{{if .Ports}}first{{else if .Config.Cmd}}second{{else}}third{{end}}"));
        assertEquals("yes", render("{{if eq .State.Status \"exited\" \"running\"}}yes{{end}}"));
        assertEquals("no", render("{{if ne .Name \"web\"}}yes{{else}}no{{end}}"));
        assertEquals("<A=1><B=2>", render("{{range .Config.Env}}<{{.}}>{{end}}"));
        assertEquals("web,front,", render("{{range .Config.Labels}}{{.}},{{end}}"));
        assertEquals("none", render("{{range .Ports}}x{{else}}none{{end}}"));
        assertEquals("running/web", render("{{with .State}}{{.Status}}/{{$.Name}}{{end}}"));
        assertEquals("true", render("{{not .Ports}}"));
        assertEquals("web", render("{{or .Ports .Name}}"));
    }

    @Test
    void variables() throws Exception {
        assertEquals("app=web tier=front ", render("{{range $k, $v := .Config.Labels}}{{$k}}={{$v}} {{end}}"));
        assertEquals("0:A=1 1:B=2 ", render("{{range $i, $e := .Config.Env}}{{$i}}:{{$e}} {{end}}"));
        assertEquals("A=1;B=2;", render("{{range $e := .Config.Env}}{{$e}};{{end}}"));
        assertEquals("web/running", render("{{$n := .Name}}{{with .State}}{{$n}}/{{.Status}}{{end}}"));
        assertEquals("42", render("{{with $s := .State}}{{$s.Pid}}{{end}}"));
        assertEquals("WEB", render("{{$n := .Name | upper}}{{$n}}"));
        assertThrows(GoTemplate.TemplateException.class, () -> render("{{$nope}}"));
        assertThrows(GoTemplate.TemplateException.class, () -> GoTemplate.parse("{{with $a, $b := .State}}{{end}}"));
    }

    @Test
    void trimMarkersAndComments() throws Exception {
        assertEquals("a-b", render("a  {{- /* a comment */ -}}  -  {{- \"b\"}}"));
        assertEquals("A=1\nB=2\n", render("{{range .Config.Env}}{{.}}\n{{end}}"));
        assertEquals("x", render("{{- \"x\" -}}\n\n"));
    }

    @Test
    void malformedTemplatesFailWhenParsed() {
        for (String bad : new String[]{"{{.Name", "{{if .Name}}x", "{{end}}", "{{\"open}}", "{{}}", "{{.Name | }}"}) {
            assertThrows(GoTemplate.TemplateException.class, () -> GoTemplate.parse(bad), bad);
        }
        assertThrows(GoTemplate.TemplateException.class, () -> render("{{nosuch .Name}}"));
        assertThrows(GoTemplate.TemplateException.class, () -> render("{{.Name.Sub}}"));
        assertThrows(GoTemplate.TemplateException.class, () -> render("{{join .Name \",\"}}"));
    }

    @Test
    void headersShowColumnNames() {
        GoTemplate t = GoTemplate.parse("{{.ID}}\t{{json .Labels}}\t{{.CreatedAt}}\t{{.State.Status}}");
        assertEquals("CONTAINER ID\tLABELS\tCREATED AT\tSTATUS",
                t.renderHeader(f -> f.equals("ID") ? "CONTAINER ID" : GoTemplate.defaultHeader(f)));
    }
}
