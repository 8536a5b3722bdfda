package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.image.ImagePushOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** `jpod push IMAGE [DESTINATION]`: the image's blobs as pulled, blobs the registry has skipped. */
@Command(name = "push", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = "Push an image to a registry.")
public final class PushCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "Local image name or id")
    String image;

    @Parameters(index = "1", arity = "0..1", paramLabel = "DESTINATION", description = "registry/repo:tag (default: the image's name)")
    String destination;

    @Option(names = "--tls-verify", arity = "0..1", fallbackValue = "true", defaultValue = "true", paramLabel = "BOOL",
            description = "Require HTTPS and verify certificates (default: true; loopback registries may use HTTP)")
    boolean tlsVerify;

    @Option(names = {"-q", "--quiet"}, description = "No progress output")
    boolean quiet;

    @Option(names = "--creds", paramLabel = "USER:PASS", description = "Credentials for the registry")
    String creds;

    @Option(names = "--authfile", paramLabel = "FILE", description = "Credentials file (default: podman's auth.json, then ~/.docker/config.json)")
    String authfile;

    @Option(names = "--digestfile", paramLabel = "FILE", description = "Write the pushed manifest digest to FILE")
    String digestfile;

    @Override
    public Integer call() throws IOException {
        JpodCommand jpod = ImageCli.root(spec);
        String digest;
        try (Engine engine = jpod.engine()) {
            digest = engine.images().push(new ImagePushOptions(image, destination, tlsVerify, creds, authfile, quiet),
                    ImageCli.progress(jpod)).digest();
        }
        if (digestfile != null) {
            Files.writeString(Path.of(digestfile), digest);
        }
        return 0;
    }
}
