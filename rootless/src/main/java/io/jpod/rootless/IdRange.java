package io.jpod.rootless;

/** A contiguous range of host ids: {@code count} ids starting at {@code start}. */
public record IdRange(long start, long count) {
    public IdRange {
        if (start < 0 || count <= 0) {
            throw new IllegalArgumentException("invalid id range " + start + ":" + count);
        }
    }
}
