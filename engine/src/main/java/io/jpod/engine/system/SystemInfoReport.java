package io.jpod.engine.system;

import java.util.Map;

/**
 * What the engine knows for `info` and the API's /info: where the store lives, the storage driver in use and why,
 * how many images and containers there are (the containers' states reconciled with reality), and the cgroups
 * delegated to this user (or why none are). The host's own facts (kernel, distribution, id maps) the front ends read.
 */
public record SystemInfoReport(String graphRoot, String runRoot, String volumePath, String graphDriverName,
                               String graphDriverReason, int imageCount, int containerCount, int containersRunning,
                               Map<String, Object> cgroups) {
}
