package io.jpod.cli;

import picocli.CommandLine.Model.CommandSpec;

/** Shared bits of the image commands, which run both as `jpod X` and as `jpod image X`. */
final class ImageCli {
    private ImageCli() {
    }

    static JpodCommand root(CommandSpec spec) {
        return (JpodCommand) spec.root().userObject();
    }

    /**
     * Podman's progress lines of a pull or push on the command's stderr, live bars when that is a terminal of this
     * JVM (in the service it never is: its stderr goes back in frames).
     */
    static io.jpod.engine.image.ImageProgressLines progress(JpodCommand jpod) {
        return new io.jpod.engine.image.ImageProgressLines(jpod.err, !(jpod.host instanceof ServiceRequest) && stderrIsTerminal());
    }

    private static boolean stderrIsTerminal() {
        try {
            String target = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    static String hex(String id) {
        return id.startsWith("sha256:") ? id.substring(7) : id;
    }
}
