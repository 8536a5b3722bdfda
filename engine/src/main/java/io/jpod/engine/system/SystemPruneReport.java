package io.jpod.engine.system;

import java.util.List;

/** What `system prune` removed; {@code layersSkipped}: unused layers were kept because another jpod command ran. */
public record SystemPruneReport(List<String> containers, List<String> images, int layers, long bytes, boolean layersSkipped) {
}
