package io.jpod.cli;

import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The options podman's `network ls`, `volume ls`, `secret ls` and `pod ps` share (one home per flag), mixed in with
 * {@code @Mixin}. The command's own description names its template fields, filter keys and what -q prints.
 */
final class ListOptions {
    @Option(names = "--format", paramLabel = "FORMAT",
            description = "json, table (default), or a Go template over the fields named above ('table' before it adds a header)")
    String format;

    @Option(names = {"-n", "--noheading"}, description = "Do not print the header line")
    boolean noHeading;

    @Option(names = {"-q", "--quiet"}, description = "Print only the name or id (see above) of each")
    boolean quiet;

    @Option(names = {"-f", "--filter"}, paramLabel = "KEY=VALUE", description = "Only matching entries, KEY one of those named above "
            + "(values of one key are alternatives, different keys must all match)")
    List<String> filters = new ArrayList<>();

    /** --format, with the header line unless --noheading. */
    OutputFormat outputFormat() {
        return OutputFormat.of(format).withHeader(!noHeading);
    }

    /** The default table ({@link Formats#table}), its first row the header, which --noheading leaves out after aligning. */
    void printTable(PrintStream out, List<String[]> headerAndRows) {
        String text = Formats.table(headerAndRows);
        out.print(noHeading ? text.substring(text.indexOf('\n') + 1) : text);
    }
}
