package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.image.ImageHistoryReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** `jpod history IMAGE`: the image's history entries, newest first, podman's columns. */
@Command(name = "history", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = "Show the history of an image.")
public final class HistoryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "Image name or id")
    String image;

    @Option(names = "--no-trunc", description = "Do not truncate the output")
    boolean noTrunc;

    @Option(names = {"-q", "--quiet"}, description = "Print only the ids")
    boolean quiet;

    @Option(names = "--format", paramLabel = "FORMAT", description = "json, table (default), or a Go template: {{.ID}} {{.Created}} {{.CreatedAt}} "
            + "{{.CreatedBy}} {{.Size}} {{.Comment}} ('table' before it adds a header)")
    String format;

    @Override
    public Integer call() {
        JpodCommand jpod = ImageCli.root(spec);
        try (Engine engine = jpod.engine()) {
            ImageHistoryReport r = engine.images().history(image);
            List<ImageHistoryReport.Entry> rows = r.entries();
            String idHex = ImageCli.hex(r.id());
            OutputFormat fmt = OutputFormat.of(format);
            if (fmt.isTemplate() && !quiet) {
                List<Map<String, Object>> out = new ArrayList<>();
                for (int i = 0; i < rows.size(); i++) {
                    ImageHistoryReport.Entry row = rows.get(i);
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("ID", i == 0 ? (noTrunc ? idHex : idHex.substring(0, 12)) : "<missing>");
                    m.put("Created", ago(row.created()));
                    m.put("CreatedSince", ago(row.created()));
                    m.put("CreatedAt", at(row.created()));
                    m.put("CreatedBy", row.createdBy());
                    m.put("Size", Formats.size(row.size()));
                    m.put("Comment", row.comment());
                    m.put("Tags", i == 0 ? r.names() : List.of());
                    out.add(m);
                }
                fmt.print(jpod.out, out, Map.of("CreatedBy", "CREATED BY"));
                return 0;
            }
            if (fmt.isJson()) {
                List<Map<String, Object>> out = new ArrayList<>();
                for (int i = 0; i < rows.size(); i++) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("id", i == 0 ? idHex : "<missing>");
                    m.put("created", rows.get(i).created());
                    m.put("createdBy", rows.get(i).createdBy());
                    m.put("size", rows.get(i).size());
                    m.put("comment", rows.get(i).comment());
                    out.add(m);
                }
                jpod.out.println(Formats.json(out));
                return 0;
            }
            List<String[]> table = new ArrayList<>();
            table.add(new String[]{"ID", "CREATED", "CREATED BY", "SIZE", "COMMENT"});
            for (int i = 0; i < rows.size(); i++) {
                String id = i == 0 ? (noTrunc ? idHex : idHex.substring(0, 12)) : "<missing>";
                if (quiet) {
                    jpod.out.println(id);
                    continue;
                }
                String by = rows.get(i).createdBy();
                if (!noTrunc && by.length() > 45) {
                    by = by.substring(0, 42) + "...";
                }
                table.add(new String[]{id, ago(rows.get(i).created()), by, Formats.size(rows.get(i).size()), rows.get(i).comment()});
            }
            if (!quiet) {
                jpod.out.print(Formats.table(table));
            }
        }
        return 0;
    }

    private static String at(String created) {
        try {
            return created.isEmpty() ? "" : Formats.goTime(Instant.parse(created));
        } catch (DateTimeParseException e) {
            return created;
        }
    }

    private static String ago(String created) {
        try {
            return created.isEmpty() ? "" : Formats.ago(Instant.parse(created));
        } catch (DateTimeParseException e) {
            return created;
        }
    }
}
