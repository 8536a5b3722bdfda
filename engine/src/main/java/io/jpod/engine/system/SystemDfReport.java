package io.jpod.engine.system;

/** One row of `system df`: a kind (images, containers, local volumes), how many, how many in use, bytes, reclaimable bytes. */
public record SystemDfReport(String type, int total, int active, long size, long reclaimable) {
}
