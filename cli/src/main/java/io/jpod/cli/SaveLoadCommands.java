package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.EngineException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;

/** `jpod save` and `jpod load` (docker-archive, oci-archive). */
public final class SaveLoadCommands {
    private SaveLoadCommands() {
    }

    @Command(name = "save", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = "Save an image to a docker-archive or oci-archive tarball (stdout unless -o).")
    public static final class Save implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "IMAGE", description = "Image name or id")
        String image;

        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of stdout")
        String output;

        @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "docker-archive", description = "docker-archive (default) or oci-archive")
        String format;

        @Option(names = {"-q", "--quiet"}, description = "No progress output")
        boolean quiet;

        @Override
        public Integer call() throws IOException {
            JpodCommand jpod = ImageCli.root(spec);
            if (!"docker-archive".equals(format) && !"oci-archive".equals(format)) {
                throw new EngineException("--format " + format + " is not supported; use docker-archive or oci-archive");
            }
            try (Engine engine = jpod.engine()) {
                if (output == null || output.equals("-")) {
                    OutputStream out = new BufferedOutputStream(jpod.out, 256 * 1024);
                    engine.save(image, format, out);
                    out.flush();
                    return 0;
                }
                Path target = Path.of(output).toAbsolutePath();
                Path tmp;
                try {
                    tmp = Files.createTempFile(target.getParent(), ".jpod-save-", ".tar");
                } catch (java.nio.file.FileSystemException e) {
                    // written beside the target, then renamed: the target's directory must be writable
                    throw new EngineException("cannot write " + target + ": " + Main.reason(e) + " in " + target.getParent()
                            + "; choose a directory you can write to");
                }
                try {
                    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 256 * 1024)) {
                        engine.save(image, format, out);
                    }
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
            return 0;
        }
    }

    @Command(name = "load", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = "Load images from a docker-archive or oci-archive tarball, plain or gzip (stdin unless -i).")
    public static final class Load implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = {"-i", "--input"}, paramLabel = "FILE", description = "Read FILE instead of stdin")
        String input;

        @Option(names = {"-q", "--quiet"}, description = "No progress output")
        boolean quiet;

        @Override
        public Integer call() {
            JpodCommand jpod = ImageCli.root(spec);
            try (Engine engine = jpod.engine()) {
                engine.load(input == null || input.equals("-") ? null : Path.of(input).toAbsolutePath(), System.in, quiet ? null : jpod.out);
            }
            return 0;
        }
    }
}
