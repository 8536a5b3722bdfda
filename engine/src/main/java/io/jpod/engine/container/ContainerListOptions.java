package io.jpod.engine.container;

/**
 * `ps` and the API's container list: {@code all} lists every container, otherwise only the running ones. Filters,
 * sorting and limits stay with the front end that parses them (podman and Docker filter differently).
 */
public record ContainerListOptions(boolean all) {
}
