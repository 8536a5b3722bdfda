package io.jpod.engine.pod;

/**
 * A pod just made (`pod create`, `kube play`, `run --pod new:NAME`): what a front end prints or acts on next.
 *
 * @param infraId its infra container's id, or null when it has none (--infra=false)
 */
public record PodCreateReport(String id, String name, String infraId) {
}
