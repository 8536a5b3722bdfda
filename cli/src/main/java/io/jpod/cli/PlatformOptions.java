package io.jpod.cli;

import io.jpod.engine.EngineException;
import picocli.CommandLine.Option;

/**
 * podman's {@code --arch}, {@code --os} and {@code --variant} for commands that pull; combined with the command's own
 * {@code --platform} into the one "os/arch[/variant]" string the image module takes.
 */
public final class PlatformOptions {
    @Option(names = "--arch", paramLabel = "ARCH", description = "Architecture to pull instead of the host's, e.g. arm64")
    String arch;

    @Option(names = "--os", paramLabel = "OS", description = "Operating system to pull instead of the host's (default: linux)")
    String os;

    @Option(names = "--variant", paramLabel = "VARIANT", description = "Architecture variant to pull, e.g. v7 for arm")
    String variant;

    /** The platform to pull: {@code platform} as given, else one built from --os/--arch/--variant, else null (the host's). */
    String platform(String platform) {
        boolean parts = arch != null || os != null || variant != null;
        if (platform != null && parts) {
            throw new EngineException("--platform cannot be combined with --arch, --os or --variant; use one or the other");
        }
        if (!parts) {
            return platform;
        }
        String a = arch != null ? arch : io.jpod.image.Platform.host().architecture();
        return (os != null ? os : "linux") + "/" + a + (variant != null ? "/" + variant : "");
    }
}
