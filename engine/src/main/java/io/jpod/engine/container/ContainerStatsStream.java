package io.jpod.engine.container;

import java.util.List;

/**
 * Successive samples of `stats` (see {@link ContainerService#stats}): it keeps the previous sample of each container,
 * so CPU % is over the interval between two calls (the first: since the container started).
 */
public interface ContainerStatsStream {
    /**
     * One row per container. The first call fails on a named container that is not running; later ones leave out the
     * named containers that stopped or were removed meanwhile (none left: an empty list).
     */
    List<ContainerStatsReport> next();
}
