package io.jpod.engine.container;

import java.util.List;

/** `top`: a header row, then one row per process, in the columns the descriptors asked for. */
public record ContainerTopReport(List<String[]> rows) {
}
