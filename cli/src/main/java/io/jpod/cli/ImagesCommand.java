package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.image.ImageListOptions;
import io.jpod.engine.image.ImageService;
import io.jpod.engine.image.ImageSummaryReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** `jpod images`: list local images, podman's columns. */
@Command(name = "images", aliases = "image-ls", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "List images in local storage.")
public class ImagesCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** The root command, also when this runs as `jpod image …`. */
    JpodCommand jpod;

    @Option(names = {"-q", "--quiet"}, description = "Print only image ids")
    boolean quiet;

    @Option(names = "--no-trunc", description = "Do not truncate ids")
    boolean noTrunc;

    @Option(names = "--format", paramLabel = "FORMAT", description = "json, table (default), or a Go template: {{.ID}} {{.Repository}} {{.Tag}} "
            + "{{.Digest}} {{.CreatedSince}} {{.CreatedAt}} {{.Size}} ('table' before it adds a header)")
    String format;

    @Option(names = {"-a", "--all"}, description = "Show all images (default hides intermediate images: the unnamed steps of a build)")
    boolean all;

    @Option(names = "--digests", description = "Show the manifest digests")
    boolean digests;

    @Option(names = {"-f", "--filter"}, paramLabel = "KEY=VALUE", description = "Only matching images: reference=GLOB, dangling=true|false, "
            + "id=, digest=, before=IMAGE, since=IMAGE (values of one key are alternatives, different keys must all match)")
    List<String> filters = new ArrayList<>();

    @picocli.CommandLine.Parameters(arity = "0..1", paramLabel = "IMAGE", description = "Only images of this name (podman: reference=IMAGE)")
    String reference;

    @Option(names = {"-n", "--noheading"}, description = "Do not print the header line")
    boolean noHeading;

    @Option(names = "--sort", paramLabel = "KEY", description = "Order by created (default, newest first), id, repository, size or tag")
    String sort = "created";

    @Override
    public Integer call() {
        java.util.Comparator<String[]> order = order(sort);
        if (reference != null) {
            filters.add("reference=" + reference);
        }
        jpod = ImageCli.root(spec);
        try (Engine engine = jpod.engine()) {
            ImageService service = engine.images();
            List<ImageSummaryReport> images = ImageFilter.apply(service.list(new ImageListOptions(all)), filters);
            for (String hex : service.damaged()) {
                jpod.err.println("WARNING: image " + hex.substring(0, 12) + " is not listed: its record (images/" + hex
                        + "/image.json in the storage directory) is damaged; run `jpod system check --repair`");
            }
            OutputFormat fmt = OutputFormat.of(format);
            fmt = fmt.withHeader(!noHeading);
            if (fmt.isTemplate() && !quiet) {
                List<Map<String, Object>> rows = new ArrayList<>();
                List<String[]> keys = new ArrayList<>();
                for (ImageSummaryReport r : images) {
                    for (String n : shownNames(r)) {
                        keys.add(sortKey(r, n, rows.size()));
                        rows.add(templateRow(r, n));
                    }
                }
                keys.sort(order);
                List<Map<String, Object>> sorted = new ArrayList<>();
                keys.forEach(k -> sorted.add(rows.get(Integer.parseInt(k[4]))));
                fmt.print(jpod.out, sorted, Map.of("ID", "IMAGE ID", "CreatedSince", "CREATED", "Created", "CREATED"));
                return 0;
            }
            if (fmt.isJson()) {
                List<Map<String, Object>> out = new ArrayList<>();
                for (ImageSummaryReport r : images) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("Id", r.hex());
                    m.put("Names", r.names());
                    m.put("Digest", r.manifestDigest());
                    m.put("Digests", r.digests());
                    m.put("History", r.namesHistory());
                    m.put("Size", r.size());
                    java.time.Instant created = r.created();
                    m.put("Created", created == null ? null : created.getEpochSecond());
                    m.put("CreatedAt", created == null ? null : created.toString());
                    m.put("Labels", r.labels());
                    out.add(m);
                }
                jpod.out.println(Formats.json(out));
                return 0;
            }
            List<String[]> rows = new ArrayList<>();
            List<String[]> keys = new ArrayList<>();
            rows.add(digests ? new String[]{"REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE"}
                    : new String[]{"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"});
            for (ImageSummaryReport r : images) {
                String id = noTrunc ? r.id() : r.hex().substring(0, 12);
                java.time.Instant created = quiet ? null : r.created();
                if (quiet) {
                    jpod.out.println(id);
                    continue;
                }
                for (String n : shownNames(r)) {
                    keys.add(sortKey(r, n, rows.size()));
                    String repo = repository(n);
                    String tag = tag(n);
                    rows.add(digests ? new String[]{repo, tag, r.manifestDigest() == null ? "<none>" : r.manifestDigest(), id,
                            Formats.ago(created), Formats.size(r.size())}
                            : new String[]{repo, tag, id, Formats.ago(created), Formats.size(r.size())});
                }
            }
            if (!quiet) {
                keys.sort(order);
                List<String[]> sorted = new ArrayList<>();
                if (!noHeading) {
                    sorted.add(rows.get(0));
                }
                keys.forEach(k -> sorted.add(rows.get(Integer.parseInt(k[4]))));
                jpod.out.print(sorted.isEmpty() ? "" : Formats.table(sorted));
            }
            return 0;
        }
    }

    /** The names an image gets rows for: with reference filters only the names they match (podman's), else all. */
    private List<String> shownNames(ImageSummaryReport r) {
        if (r.names().isEmpty()) {
            return List.of("<none>:<none>");
        }
        List<java.util.regex.Pattern> refs = filters.stream().filter(f -> f.startsWith("reference="))
                .map(f -> ImageFilter.glob(f.substring("reference=".length()))).toList();
        List<String> matching = refs.isEmpty() ? r.names()
                : r.names().stream().filter(n -> refs.stream().anyMatch(p -> ImageFilter.matches(p, n))).toList();
        return matching.isEmpty() ? r.names() : matching;
    }

    /** Sort keys of a row: created (ISO, sorts as time), id, repository, tag, and the row's index. */
    private static String[] sortKey(ImageSummaryReport r, String name, int index) {
        return new String[]{r.stored() == null ? "" : r.stored().toString(), r.hex(), repository(name), tag(name),
                Integer.toString(index), String.format("%020d", r.size())};
    }

    /** podman's --sort keys; created lists the newest first, the others ascend. */
    private static java.util.Comparator<String[]> order(String key) {
        return switch (key) {
            case "created" -> java.util.Comparator.<String[], String>comparing(k -> k[0]).reversed();
            case "id" -> java.util.Comparator.comparing(k -> k[1]);
            case "repository" -> java.util.Comparator.<String[], String>comparing(k -> k[2]).thenComparing(k -> k[3]);
            case "tag" -> java.util.Comparator.comparing(k -> k[3]);
            case "size" -> java.util.Comparator.comparing(k -> k[5]);
            default -> throw new io.jpod.engine.EngineException("\"" + key
                    + "\" is not a valid --sort key: use created, id, repository, size or tag");
        };
    }

    /** The placeholders podman's `images --format` offers, by the same names; one row per name, as in the table. */
    private Map<String, Object> templateRow(ImageSummaryReport r, String name) {
        java.time.Instant created = r.created();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ID", noTrunc ? r.id() : r.hex().substring(0, 12));
        m.put("Repository", repository(name));
        m.put("Tag", tag(name));
        m.put("Digest", r.manifestDigest() == null ? "<none>" : r.manifestDigest());
        m.put("Created", Formats.ago(created));
        m.put("CreatedSince", Formats.ago(created));
        m.put("CreatedAt", created == null ? "" : Formats.goTime(created));
        m.put("Size", Formats.size(r.size()));
        m.put("Names", r.names());
        m.put("History", String.join(", ", r.namesHistory()));
        m.put("Labels", r.labels());
        return m;
    }

    private static String repository(String name) {
        int colon = name.lastIndexOf(':');
        return colon > name.lastIndexOf('/') ? name.substring(0, colon) : name;
    }

    private static String tag(String name) {
        int colon = name.lastIndexOf(':');
        return colon > name.lastIndexOf('/') ? name.substring(colon + 1) : "<none>";
    }
}
