package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.image.ImageSearchOptions;
import io.jpod.engine.image.ImageSearchReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * `jpod search TERM` and `jpod image search TERM`: repositories of registries matching TERM, or with --list-tags
 * a repository's tags, in podman's columns (NAME DESCRIPTION; --compatible adds STARS OFFICIAL AUTOMATED). JSON and
 * Go templates print the same {@link ImageSearchReport} rows.
 */
@Command(name = "search", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = "Search registry for image.")
public final class SearchCommand implements Callable<Integer> {
    /** podman cuts descriptions longer than this (without --no-trunc) and adds "...". */
    private static final int DESCRIPTION_WIDTH = 44;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TERM", description = "REGISTRY/NAME, REGISTRY/ (its whole catalog) or NAME (every search registry)")
    String term;

    @Option(names = "--authfile", paramLabel = "FILE", description = "Path of the authentication file (default: $REGISTRY_AUTH_FILE or the login file)")
    String authfile;

    @Option(names = "--compatible", description = "List stars, official and automated columns (Docker compatibility)")
    boolean compatible;

    @Option(names = {"-f", "--filter"}, split = ",", paramLabel = "FILTER",
            description = "Filter output based on conditions provided: stars=N, is-official[=BOOL], is-automated[=BOOL]")
    List<String> filters = new ArrayList<>();

    @Option(names = "--format", paramLabel = "FORMAT", description = "Change the output format to JSON or a Go template: "
            + "{{.Index}} {{.Name}} {{.Description}} {{.Stars}} {{.Official}} {{.Automated}} {{.Tag}} ('table' before it adds a header)")
    String format;

    @Option(names = "--limit", paramLabel = "N", description = "Limit the number of results (default: 25 per registry)")
    int limit;

    @Option(names = "--list-tags", description = "List the tags of the input registry")
    boolean listTags;

    @Option(names = "--no-trunc", description = "Do not truncate the output")
    boolean noTrunc;

    @Option(names = "--tls-verify", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
            description = "Require HTTPS and verify certificates when contacting registries (default true; loopback registries may use HTTP)")
    Boolean tlsVerify;

    @Override
    public Integer call() {
        JpodCommand jpod = ImageCli.root(spec);
        OutputFormat fmt = OutputFormat.of(format);
        List<ImageSearchReport> rows;
        try (Engine engine = jpod.engine()) {
            rows = engine.images().search(new ImageSearchOptions(term, limit, filters, listTags, tlsVerify, authfile));
        }
        if (rows.isEmpty()) {
            return 0;
        }
        if (!noTrunc && !fmt.isJson()) {
            rows = rows.stream().map(r -> r.withDescription(truncated(r.description()))).toList();
        }
        if (fmt.isJson()) {
            jpod.out.println(Formats.json(listTags ? tagsByRepository(rows) : rows));
            return 0;
        }
        if (fmt.isTemplate() && !listTags) {
            fmt.print(jpod.out, rows, Map.of());
            return 0;
        }
        List<String[]> table = new ArrayList<>();
        if (listTags) {
            table.add(new String[]{"NAME", "TAG"});
            rows.forEach(r -> table.add(new String[]{r.name(), r.tag()}));
        } else if (compatible) {
            table.add(new String[]{"NAME", "DESCRIPTION", "STARS", "OFFICIAL", "AUTOMATED"});
            rows.forEach(r -> table.add(new String[]{r.name(), r.description(), Integer.toString(r.stars()), r.official(), r.automated()}));
        } else {
            table.add(new String[]{"NAME", "DESCRIPTION"});
            rows.forEach(r -> table.add(new String[]{r.name(), r.description()}));
        }
        jpod.out.print(Formats.table(table));
        return 0;
    }

    /** podman's description column: one line, at most 44 characters and "...". */
    static String truncated(String description) {
        String d = description.replace('\n', ' ');
        return d.length() > DESCRIPTION_WIDTH ? d.substring(0, DESCRIPTION_WIDTH).strip() + "..." : d;
    }

    /** --list-tags --format json: one object per repository with its tags, as podman prints it. */
    private static List<Map<String, Object>> tagsByRepository(List<ImageSearchReport> rows) {
        Map<String, List<String>> byName = new LinkedHashMap<>();
        rows.forEach(r -> byName.computeIfAbsent(r.name(), n -> new ArrayList<>()).add(r.tag()));
        List<Map<String, Object>> out = new ArrayList<>();
        byName.forEach((name, tags) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("Name", name);
            m.put("Tags", tags);
            out.add(m);
        });
        return out;
    }
}
