package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.EngineException;
import io.jpod.engine.ImageInUseException;
import io.jpod.engine.NoSuchImageException;
import io.jpod.engine.image.ImageRemoveOptions;
import io.jpod.engine.image.ImageRemoveReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** `jpod rmi` / `jpod image rm`: remove images (a name of several only untags it); unused layers go with them. */
@Command(name = "rmi", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = "Remove one or more images.")
public class RmiCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "IMAGE", description = "Image names or ids")
    List<String> images = new ArrayList<>();

    @Option(names = {"-f", "--force"}, description = "Also remove containers using the image, and images with several names; "
            + "an image that does not exist is no error")
    boolean force;

    @Option(names = {"-a", "--all"}, description = "Remove all images")
    boolean all;

    @Option(names = {"-i", "--ignore"}, description = "Ignore images that do not exist")
    boolean ignore;

    /**
     * Each image is done even if another fails (reported); podman's exit codes: 1 if one did not exist, 2 if one is
     * used by a container, 125 for any other failure.
     */
    @Override
    public Integer call() {
        JpodCommand jpod = ImageCli.root(spec);
        if (images.isEmpty() && !all) {
            throw new EngineException("image name or id must be specified");
        }
        try (Engine engine = jpod.engine()) {
            if (all) {
                print(engine.images().remove(images, new ImageRemoveOptions(force, true, force)), jpod.out);
                return 0;
            }
            int code = 0;
            for (String image : images) {
                try {
                    print(engine.images().remove(List.of(image), new ImageRemoveOptions(force, false, force)), jpod.out);
                } catch (NoSuchImageException e) {
                    if (!ignore && !force) { // as podman's: --force also means "whether it is there or not"
                        code = code == 0 ? 1 : code;
                        Main.report(e, jpod.err);
                    }
                } catch (ImageInUseException e) {
                    code = code == Main.EXIT_ENGINE ? code : 2;
                    Main.report(e, jpod.err);
                } catch (EngineException e) {
                    code = Main.EXIT_ENGINE;
                    Main.report(e, jpod.err);
                }
            }
            return code;
        }
    }

    /** podman's lines: each image's "Untagged: NAME" lines, then its "Deleted: ID". */
    static void print(ImageRemoveReport report, java.io.PrintStream out) {
        for (ImageRemoveReport.Removed r : report.images()) {
            r.untagged().forEach(n -> out.println("Untagged: " + n));
            if (r.deleted() != null) {
                out.println("Deleted: " + r.deleted());
            }
        }
    }

    /** The same command as `jpod image rm`. */
    @Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = "Remove one or more images.")
    public static final class ImageRm extends RmiCommand {
    }
}
