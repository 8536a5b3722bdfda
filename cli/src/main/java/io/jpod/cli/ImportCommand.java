package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.image.ImageImportOptions;
import io.jpod.engine.image.ImageSummaryReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** `jpod import FILE|- [REFERENCE]`: a root file system tarball becomes an image; prints its id. */
@Command(name = "import", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Create an image from a root file system tarball.")
public final class ImportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "Tarball (plain, gzip or zstd); - for stdin")
    String file;

    @Parameters(index = "1", arity = "0..1", paramLabel = "REFERENCE", description = "Name for the image")
    String reference;

    @Option(names = {"-c", "--change"}, paramLabel = "INSTRUCTION", description = "Dockerfile instruction for the config, e.g. 'CMD [\"sh\"]'")
    List<String> changes = new ArrayList<>();

    @Option(names = {"-m", "--message"}, paramLabel = "TEXT", description = "Comment of the history entry")
    String message;

    @Option(names = {"-q", "--quiet"}, description = "Print only the image id (jpod always does)")
    boolean quiet;

    @Override
    public Integer call() {
        JpodCommand jpod = ImageCli.root(spec);
        try (Engine engine = jpod.engine()) {
            ImageSummaryReport r = engine.images().importTarball(new ImageImportOptions(changes, message, reference),
                    file.equals("-") ? null : Path.of(file).toAbsolutePath(), System.in, ImageCli.progress(jpod));
            jpod.out.println(r.hex());
        }
        return 0;
    }
}
