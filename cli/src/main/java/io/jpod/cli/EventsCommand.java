package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.EngineException;
import io.jpod.engine.system.Event;
import io.jpod.engine.system.EventOptions;
import io.jpod.engine.system.EventStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/** `jpod events`: what jpod did (containers created, started, died, removed; images pulled, tagged…), as podman's. */
@Command(name = "events", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Show events: those recorded, then new ones as they happen (until ^C, --until, or --stream=false).")
public final class EventsCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Option(names = "--since", paramLabel = "TIME", description = "Only events since TIME: RFC 3339, unix seconds, or a duration such as 10m")
    String since;

    @Option(names = "--until", paramLabel = "TIME", description = "Only events up to TIME (streaming stops then)")
    String until;

    @Option(names = {"-f", "--filter"}, paramLabel = "KEY=VALUE",
            description = "type=container|image, event=STATUS (create, start, died, stop, kill, restart, remove, pull, push, tag, untag, load, "
                    + "import), container=NAME|ID, image=NAME|ID, label=KEY[=VALUE]; values of one key are alternatives, different keys must all match")
    List<String> filters = new ArrayList<>();

    @Option(names = "--format", paramLabel = "FORMAT", description = "json, or a Go template over {{.ID}} {{.Name}} {{.Image}} {{.Status}} "
            + "{{.Time}} {{.Type}} {{.Attributes}}")
    String format;

    @Option(names = "--stream", arity = "0..1", defaultValue = "true", fallbackValue = "true",
            description = "Keep printing new events (default true; --stream=false prints the recorded ones and exits)")
    boolean stream;

    @Option(names = "--no-trunc", arity = "0..1", defaultValue = "true", fallbackValue = "true",
            description = "Print full ids (default true; --no-trunc=false shortens them to 12 characters; --format always has them whole)")
    boolean noTrunc;

    @Override
    public Integer call() throws InterruptedException {
        OutputFormat fmt = OutputFormat.of(format);
        Instant from = since == null ? null : LogsCommand.parseTime("--since", since);
        Instant to = until == null ? null : LogsCommand.parseTime("--until", until);
        Predicate<Event> wanted = filter(filters);
        try (Engine engine = jpod.engine()) {
            try (EventStream events = engine.system().events(new EventOptions(from, to, stream))) {
                for (List<Event> batch = events.next(); batch != null; batch = events.next()) {
                    for (Event e : batch) {
                        if (wanted.test(e)) {
                            print(fmt, e);
                        }
                    }
                    jpod.out.flush();
                }
                return 0;
            }
        }
    }

    private void print(OutputFormat fmt, Event e) {
        if (fmt.isJson()) {
            jpod.out.println(Formats.compactJson(e));
        } else if (fmt.isTemplate()) {
            // every field is there for a template, empty when the event has none (JSON leaves empty ones out)
            com.fasterxml.jackson.databind.node.ObjectNode row = new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(e);
            for (String field : List.of("ID", "Image", "Name", "Status", "Time", "Type")) {
                if (!row.has(field)) {
                    row.put(field, "");
                }
            }
            fmt.print(jpod.out, List.of(row), Map.of());
        } else if ("image".equals(e.type())) {
            // podman's line for an image event: time, type, status, id and name, each separated by a space (even empty)
            jpod.out.println(Formats.goTime(e.instant()) + " image " + e.status() + " " + (e.id() == null ? "" : e.id()) + " "
                    + (e.name() == null ? "" : e.name()));
        } else {
            StringBuilder sb = new StringBuilder(Formats.goTime(e.instant())).append(' ').append(e.type()).append(' ').append(e.status());
            if (e.id() != null) {
                sb.append(' ').append(noTrunc || e.id().length() <= 12 ? e.id() : e.id().substring(0, 12));
            }
            Map<String, String> about = new LinkedHashMap<>();
            if (e.image() != null) {
                about.put("image", e.image());
            }
            if (e.name() != null) {
                about.put("name", e.name());
            }
            if (e.attributes() != null) {
                about.putAll(e.attributes());
            }
            if (!about.isEmpty()) {
                List<String> parts = new ArrayList<>();
                about.forEach((k, v) -> parts.add(k + "=" + v));
                sb.append(" (").append(String.join(", ", parts)).append(')');
            }
            jpod.out.println(sb);
        }
    }

    /** label=KEY matches an event whose attributes have KEY, label=KEY=VALUE one where it has that value. */
    private static boolean hasLabel(Event e, String v) {
        int eq = v.indexOf('=');
        String key = eq < 0 ? v : v.substring(0, eq);
        String have = e.attributes() == null ? null : e.attributes().get(key);
        return have != null && (eq < 0 || have.equals(v.substring(eq + 1)));
    }

    static Predicate<Event> filter(List<String> filters) {
        List<String> named = filters.stream().map(f -> f.startsWith("status=") ? "event=" + f.substring(7) : f).toList(); // podman's alias
        return Filters.of(named, "type, event, container, image or label", java.util.Set.of("label"), (key, v) -> switch (key) {
            case "type" -> e -> v.equals(e.type());
            case "event" -> e -> v.equals(e.status());
            case "container" -> e -> "container".equals(e.type()) && (v.equals(e.name()) || e.id() != null && e.id().startsWith(v));
            case "image" -> e -> "image".equals(e.type()) ? v.equals(e.name()) || e.id() != null && e.id().startsWith(v)
                    : e.image() != null && (e.image().equals(v) || ImageFilter.matches(ImageFilter.glob(v), e.image()));
            case "label" -> e -> hasLabel(e, v);
            default -> throw new EngineException("unknown filter \"" + key + "\": use type, event, container, image or label");
        });
    }
}
