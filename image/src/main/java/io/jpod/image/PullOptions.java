package io.jpod.image;

import java.io.PrintStream;

/**
 * @param tlsVerify false allows plain HTTP for any registry (loopback registries are always allowed)
 * @param platform  "os/arch[/variant]"; null means the host platform
 * @param quiet     print only the image id
 * @param progress  where progress lines go; null prints nothing
 * @param plainHttp where registries that answered only plain HTTP are remembered; null remembers nothing
 */
public record PullOptions(boolean tlsVerify, String platform, boolean quiet, PrintStream progress, PlainHttpRegistries plainHttp) {
    public PullOptions(boolean tlsVerify, String platform, boolean quiet, PrintStream progress) {
        this(tlsVerify, platform, quiet, progress, null);
    }

    public static PullOptions defaults(PrintStream progress) {
        return new PullOptions(true, null, false, progress);
    }
}
