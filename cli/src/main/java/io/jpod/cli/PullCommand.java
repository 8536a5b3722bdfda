package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.image.ImagePullOptions;
import io.jpod.engine.image.ImagePullReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** `jpod pull`: fetch an image from a registry into local storage. */
@Command(name = "pull", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Pull an image from a registry.")
public final class PullCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** The root command, also when this runs as `jpod image …`. */
    JpodCommand jpod;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "Image reference, e.g. alpine or registry:5000/repo:tag")
    String image;

    @Option(names = "--tls-verify", arity = "0..1", fallbackValue = "true", defaultValue = "true", paramLabel = "BOOL",
            description = "Require HTTPS and verify certificates (default: true; loopback registries may use HTTP)")
    boolean tlsVerify;

    @Option(names = {"-q", "--quiet"}, description = "Print only the image id")
    boolean quiet;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "Platform to pull (default: the host's)")
    String platform;

    @Option(names = "--creds", paramLabel = "USER:PASS", description = "Credentials for the registry")
    String creds;

    @Option(names = "--authfile", paramLabel = "FILE", description = "Credentials file (default: podman's auth.json, then ~/.docker/config.json)")
    String authfile;

    @picocli.CommandLine.Mixin
    PlatformOptions platformOptions;

    @Override
    public Integer call() {
        jpod = ImageCli.root(spec);
        try (Engine engine = jpod.engine()) {
            ImagePullReport pulled = engine.images().pull(new ImagePullOptions(image, tlsVerify, platformOptions.platform(platform), creds,
                    authfile, quiet), ImageCli.progress(jpod));
            jpod.out.println(pulled.id().substring("sha256:".length()));
            return 0;
        }
    }
}
