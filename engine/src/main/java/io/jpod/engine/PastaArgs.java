package io.jpod.engine;

import io.jpod.network.NetworkException;
import io.jpod.network.NetworkSetup;
import io.jpod.network.PortMapping;
import io.jpod.rootless.ContainerSpec;

import java.util.List;

/** The helper's pasta records. */
final class PastaArgs {
    private PastaArgs() {
    }

    static List<ContainerSpec.Extra> extras(NetworkSetup setup, List<PortMapping> ports) {
        throw new NetworkException("--network pasta is not supported yet; use slirp4netns");
    }
}
