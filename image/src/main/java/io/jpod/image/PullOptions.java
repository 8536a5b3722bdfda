package io.jpod.image;

import java.io.PrintStream;

/**
 * @param tlsVerify false allows plain HTTP for any registry (loopback registries are always allowed)
 * @param platform  "os/arch[/variant]"; null means the host platform
 * @param quiet     print only the image id
 * @param progress  where progress lines go; null prints nothing
 */
public record PullOptions(boolean tlsVerify, String platform, boolean quiet, PrintStream progress) {
    public static PullOptions defaults(PrintStream progress) {
        return new PullOptions(true, null, false, progress);
    }
}
