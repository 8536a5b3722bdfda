package io.jpod.cli;

import picocli.CommandLine.Model.CommandSpec;

/** Shared bits of the image commands, which run both as `jpod X` and as `jpod image X`. */
final class ImageCli {
    private ImageCli() {
    }

    static JpodCommand root(CommandSpec spec) {
        return (JpodCommand) spec.root().userObject();
    }

    /** Podman's progress lines of a pull or push on the command's stderr, live bars when the caller's stderr is a terminal. */
    static io.jpod.engine.image.ImageProgressLines progress(JpodCommand jpod) {
        return new io.jpod.engine.image.ImageProgressLines(jpod.err, jpod.context().terminal().stderr());
    }

    /**
     * {@link #progress}, made at the first event: `run`/`create` hand it over for an implicit pull, and one whose image
     * is present pays nothing for it (no look at the caller's terminal).
     */
    static java.util.function.Consumer<io.jpod.image.ImageProgressEvent> progressWhenPulling(JpodCommand jpod) {
        return new java.util.function.Consumer<>() {
            private io.jpod.engine.image.ImageProgressLines lines;

            @Override
            public synchronized void accept(io.jpod.image.ImageProgressEvent event) {
                if (lines == null) {
                    lines = progress(jpod);
                }
                lines.accept(event);
            }
        };
    }

    static String hex(String id) {
        return id.startsWith("sha256:") ? id.substring(7) : id;
    }
}
