package io.jpod.image;

import java.util.function.Consumer;

/**
 * @param tlsVerify false allows plain HTTP for any registry (loopback registries are always allowed)
 * @param platform  "os/arch[/variant]"; null means the host platform
 * @param quiet     no progress events
 * @param progress  where progress events go; null: nowhere
 * @param plainHttp where registries that answered only plain HTTP are remembered; null remembers nothing
 */
public record PullOptions(boolean tlsVerify, String platform, boolean quiet, Consumer<ImageProgressEvent> progress,
                          PlainHttpRegistries plainHttp) {
    public PullOptions(boolean tlsVerify, String platform, boolean quiet, Consumer<ImageProgressEvent> progress) {
        this(tlsVerify, platform, quiet, progress, null);
    }

    public static PullOptions defaults(Consumer<ImageProgressEvent> progress) {
        return new PullOptions(true, null, false, progress);
    }
}
