package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.EngineException;
import io.jpod.engine.image.ImageSaveOptions;
import io.jpod.image.ImageArchives;
import io.jpod.image.ImageDirectories;
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

/** `jpod save` and `jpod load` (docker-archive, oci-archive, oci-dir, docker-dir). */
public final class SaveLoadCommands {
    private SaveLoadCommands() {
    }

    @Command(name = "save", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = {"Save images to a docker-archive or oci-archive tarball (stdout unless -o), or to an oci-dir or docker-dir"
                    + " directory (-o DIR).",
                    "Without -m the extra arguments are more names (tags) written for the first image (docker-archive only)."})
    public static final class Save implements Callable<Integer> {
        private static final java.util.List<String> FORMATS = java.util.List.of(ImageArchives.DOCKER_ARCHIVE, ImageArchives.OCI_ARCHIVE,
                ImageArchives.OCI_DIR, ImageArchives.DOCKER_DIR);

        @Spec
        CommandSpec spec;

        @Parameters(index = "0..*", arity = "1..*", paramLabel = "IMAGE", description = "Image name or id; then more names or (-m) images")
        java.util.List<String> images;

        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE (a new directory for the dir formats) instead of stdout")
        String output;

        @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "docker-archive",
                description = "docker-archive (default), oci-archive, oci-dir (an OCI image layout) or docker-dir (the dir transport,"
                        + " Docker schema 2 manifest)")
        String format;

        @Option(names = {"-m", "--multi-image-archive"}, description = "The arguments are images, not more names (docker-archive only)")
        boolean multi;

        @Option(names = "--compress", description = "docker-dir only: gzip the layers that are stored uncompressed")
        boolean compress;

        @Option(names = "--uncompressed", description = "oci-archive: write the layers as plain tars (default: as stored, compressed as pulled)")
        boolean uncompressed;

        @Option(names = {"-q", "--quiet"}, description = "No progress output")
        boolean quiet;

        @Override
        public Integer call() throws IOException {
            JpodCommand jpod = ImageCli.root(spec);
            if (!FORMATS.contains(format)) {
                throw new EngineException("--format " + format + " is not supported; use docker-archive, oci-archive, oci-dir or docker-dir");
            }
            if (multi && images.size() > 1 && !ImageArchives.DOCKER_ARCHIVE.equals(format)) {
                throw new EngineException("-m (--multi-image-archive) is only for docker-archive; --format " + format + " holds one image");
            }
            if (compress && !ImageArchives.DOCKER_DIR.equals(format)) {
                throw new EngineException("--compress can only be set when --format is docker-dir");
            }
            boolean toStdout = output == null || output.equals("-");
            ImageSaveOptions options = new ImageSaveOptions(images, multi, format, uncompressed, compress);
            try (Engine engine = jpod.engine()) {
                if (ImageDirectories.isDirectoryFormat(format)) {
                    if (toStdout) {
                        throw new EngineException("--format " + format + " writes a directory; give it with -o DIR");
                    }
                    engine.images().saveDirectory(options, Path.of(output).toAbsolutePath());
                    engine.imageSaved(images.get(0), output);
                    return 0;
                }
                if (toStdout) {
                    OutputStream out = new BufferedOutputStream(jpod.out, 256 * 1024);
                    engine.images().save(options, out);
                    out.flush();
                    engine.imageSaved(images.get(0), "");
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
                        engine.images().save(options, out);
                    }
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                    engine.imageSaved(images.get(0), output);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
            return 0;
        }
    }

    @Command(name = "load", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = "Load images from a docker-archive or oci-archive tarball, plain or gzip (stdin unless -i), or from an"
                    + " oci-dir or docker-dir directory.")
    public static final class Load implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = {"-i", "--input"}, paramLabel = "FILE", description = "Read FILE (an archive or a layout directory) instead of stdin")
        String input;

        @Option(names = {"-q", "--quiet"}, description = "No progress output")
        boolean quiet;

        @Override
        public Integer call() {
            JpodCommand jpod = ImageCli.root(spec);
            if ((input == null || input.equals("-")) && jpod.context().terminal().stdin()) { // an archive never comes from a keyboard
                throw new io.jpod.engine.EngineException("cannot read from terminal, use command-line redirection or the --input flag");
            }
            try (Engine engine = jpod.engine()) {
                // podman prints "Loaded image: NAME" on stdout; warnings (a layer's skipped device nodes) go to stderr
                io.jpod.engine.image.ImageProgressLines loaded = new io.jpod.engine.image.ImageProgressLines(jpod.out, false);
                io.jpod.engine.image.ImageProgressLines warnings = new io.jpod.engine.image.ImageProgressLines(jpod.err, false);
                engine.images().load(new io.jpod.engine.image.ImageLoadOptions(input == null || input.equals("-") ? null
                        : Path.of(input).toAbsolutePath(), quiet), System.in,
                        e -> (e instanceof io.jpod.image.ImageProgressEvent.Warning ? warnings : loaded).accept(e));
            }
            return 0;
        }
    }
}
