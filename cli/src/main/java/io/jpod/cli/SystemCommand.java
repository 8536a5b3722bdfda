package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.EngineException;
import io.jpod.engine.system.SystemCheckReport;
import io.jpod.engine.system.SystemDfReport;
import io.jpod.engine.system.SystemDfVerboseReport;
import io.jpod.engine.system.SystemPruneReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** `jpod system`: df, prune, reset, check. */
@Command(name = "system", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = "Manage jpod's storage.",
        subcommands = {SystemCommand.Df.class, SystemCommand.Prune.class, SystemCommand.Reset.class, SystemCommand.Check.class,
                ServiceCommand.class})
public final class SystemCommand implements Runnable {
    @ParentCommand
    JpodCommand jpod;

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(jpod.out);
    }

    /** Asks on the terminal as podman does; anything but y/yes (or no input at all) declines. */
    static boolean confirm(JpodCommand jpod, String question) {
        try {
            String line = PruneConfirmation.ask(jpod, question + " [y/N] ");
            return line != null && (line.strip().equalsIgnoreCase("y") || line.strip().equalsIgnoreCase("yes"));
        } catch (IOException e) {
            return false;
        }
    }

    @Command(name = "df", mixinStandardHelpOptions = true, description = "Show jpod's disk usage.")
    static final class Df implements Callable<Integer> {
        @ParentCommand
        SystemCommand system;

        @Option(names = "--format", paramLabel = "FORMAT", description = "json, table (default), or a Go template: {{.Type}} {{.Total}} "
                + "{{.Active}} {{.Size}} {{.Reclaimable}} ('table' before it adds a header)")
        String format;

        @Option(names = {"-v", "--verbose"}, description = "Usage per image, container and volume")
        boolean verbose;

        @Override
        public Integer call() {
            OutputFormat fmt = OutputFormat.of(format);
            try (Engine engine = system.jpod.engine()) {
                if (verbose) {
                    printVerbose(engine.system().dfVerbose(), system.jpod.out);
                    return 0;
                }
                if (!fmt.isDefault()) {
                    // podman's report: one record per type, sizes as it prints them
                    List<java.util.Map<String, Object>> report = new ArrayList<>();
                    for (SystemDfReport u : engine.system().df()) {
                        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
                        long pct = u.size() == 0 ? 0 : Math.round(100.0 * u.reclaimable() / u.size());
                        m.put("Type", u.type());
                        m.put("Total", u.total());
                        m.put("Active", u.active());
                        m.put("Size", Formats.size(u.size()));
                        m.put("Reclaimable", Formats.size(u.reclaimable()) + " (" + pct + "%)");
                        report.add(m);
                    }
                    if (fmt.isJson()) {
                        system.jpod.out.println(Formats.json(report));
                    } else {
                        fmt.print(system.jpod.out, report, java.util.Map.of());
                    }
                    return 0;
                }
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"});
                for (SystemDfReport u : engine.system().df()) {
                    long pct = u.size() == 0 ? 0 : Math.round(100.0 * u.reclaimable() / u.size());
                    rows.add(new String[] {u.type(), String.valueOf(u.total()), String.valueOf(u.active()), Formats.size(u.size()),
                            Formats.size(u.reclaimable()) + " (" + pct + "%)"});
                }
                system.jpod.out.print(Formats.table(rows));
                return 0;
            }
        }
    }

    /** podman's three tables: images, containers, volumes; sizes as podman's df prints them ("0B", "1.04MB"). */
    private static void printVerbose(SystemDfVerboseReport v, java.io.PrintStream out) {
        List<String[]> images = new ArrayList<>();
        images.add(new String[]{"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", "SHARED SIZE", "UNIQUE SIZE", "CONTAINERS"});
        for (SystemDfVerboseReport.Image i : v.images()) {
            String name = i.names().isEmpty() ? "<none>:<none>" : i.names().get(0);
            int colon = name.lastIndexOf(':') > name.lastIndexOf('/') ? name.lastIndexOf(':') : name.length();
            images.add(new String[]{name.substring(0, colon), colon < name.length() ? name.substring(colon + 1) : "<none>",
                    i.id().replaceFirst("^sha256:", "").substring(0, 12), Formats.ago(i.created()), dfSize(i.size()),
                    dfSize(0), dfSize(i.size()), Integer.toString(i.containers())});
        }
        List<String[]> containers = new ArrayList<>();
        containers.add(new String[]{"CONTAINER ID", "IMAGE", "COMMAND", "LOCAL VOLUMES", "SIZE", "CREATED", "STATUS", "NAMES"});
        for (SystemDfVerboseReport.Container c : v.containers()) {
            containers.add(new String[]{c.id().substring(0, 12),
                    c.imageId() == null ? "" : c.imageId().replaceFirst("^sha256:", "").substring(0, 12),
                    String.join(" ", c.command()), Integer.toString(c.volumes()), dfSize(c.size()),
                    Formats.ago(c.created()), c.state(), c.name()});
        }
        List<String[]> volumes = new ArrayList<>();
        volumes.add(new String[]{"VOLUME NAME", "LINKS", "SIZE"});
        v.volumes().forEach(u -> volumes.add(new String[]{u.name(), Integer.toString(u.links()), dfSize(u.size())}));
        out.print("Images space usage:\n\n" + Formats.table(images) + "\nContainers space usage:\n\n" + Formats.table(containers)
                + "\nLocal Volumes space usage:\n\n" + Formats.table(volumes));
    }

    /** A size as podman's df writes it: up to three significant digits, no space before the unit ("0B", "1.04MB"). */
    private static String dfSize(long bytes) {
        return Formats.size(bytes).replace(" ", "");
    }

    @Command(name = "prune", mixinStandardHelpOptions = true,
            description = "Remove stopped containers, unused images and layers no image needs.")
    static final class Prune implements Callable<Integer> {
        @ParentCommand
        SystemCommand system;

        @Option(names = {"-a", "--all"}, description = "Remove all images no container uses, not only untagged ones")
        boolean all;

        @Option(names = {"-f", "--force"}, description = "Do not ask for confirmation")
        boolean force;

        @Override
        public Integer call() {
            if (!force && !confirm(system.jpod, "WARNING! This removes all stopped containers and "
                    + (all ? "all images without a container" : "untagged images") + ". Are you sure you want to continue?")) {
                return 0;
            }
            try (Engine engine = system.jpod.engine()) {
                SystemPruneReport r = engine.system().prune(all);
                if (!r.containers().isEmpty()) {
                    system.jpod.out.println("Deleted Containers");
                    r.containers().forEach(system.jpod.out::println);
                }
                if (!r.images().isEmpty()) {
                    system.jpod.out.println("Deleted Images");
                    r.images().forEach(i -> system.jpod.out.println(i.substring("sha256:".length())));
                }
                if (r.layersSkipped()) {
                    system.jpod.err.println("jpod: unused layers were kept because another jpod command is running; prune again later");
                }
                system.jpod.out.println("Total reclaimed space: " + Formats.size(r.bytes()));
                return 0;
            }
        }
    }

    @Command(name = "reset", mixinStandardHelpOptions = true,
            description = "Remove all containers, images and jpod's run-time state, and stop the pause process.")
    static final class Reset implements Callable<Integer> {
        @ParentCommand
        SystemCommand system;

        @Option(names = {"-f", "--force"}, description = "Do not ask for confirmation")
        boolean force;

        @Override
        public Integer call() {
            if (!force && !confirm(system.jpod, "WARNING! This removes all containers, images and layers of jpod. Are you sure you want to continue?")) {
                return 0;
            }
            try (Engine engine = system.jpod.engine()) {
                engine.system().reset();
                return 0;
            }
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Check the store's consistency: images, layer chains, short links, orphans, leftovers.")
    static final class Check implements Callable<Integer> {
        @ParentCommand
        SystemCommand system;

        @Option(names = {"-r", "--repair"}, description = "Remove orphans and broken images, recreate missing links")
        boolean repair;

        @Override
        public Integer call() {
            try (Engine engine = system.jpod.engine()) {
                SystemCheckReport r = engine.system().check(repair);
                r.problems().forEach(p -> system.jpod.out.println(p));
                system.jpod.out.println("checked " + r.images() + " images, " + r.layers() + " layers, " + r.containers() + " containers: "
                        + (r.problems().isEmpty() ? "no problems" : r.problems().size() + " problem" + (r.problems().size() == 1 ? "" : "s")
                        + (r.consistent() ? ", all repaired" : "")));
                if (!r.consistent()) {
                    throw new EngineException("the store is not consistent" + (repair ? "; some problems could not be repaired"
                            : "; run `jpod system check --repair`"));
                }
                return 0;
            }
        }
    }
}
