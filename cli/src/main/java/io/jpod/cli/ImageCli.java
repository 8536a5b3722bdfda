package io.jpod.cli;

import picocli.CommandLine.Model.CommandSpec;

/** Shared bits of the image commands, which run both as `jpod X` and as `jpod image X`. */
final class ImageCli {
    private ImageCli() {
    }

    static JpodCommand root(CommandSpec spec) {
        return (JpodCommand) spec.root().userObject();
    }

    static String hex(String id) {
        return id.startsWith("sha256:") ? id.substring(7) : id;
    }
}
