package io.jpod.rootless;

import java.util.List;

/**
 * The container's /dev/shm, as the helper mounts it: a tmpfs of {@code bytes} (0: no limit, tmpfs's {@code size=0}).
 * Without this record the helper keeps podman's default of 64 MiB, so a run without --shm-size writes no record.
 */
public record ShmSettings(long bytes) {
    /** podman's default /dev/shm size (64 MiB), what the helper mounts when the spec has no {@code shmsize} record. */
    public static final long DEFAULT_BYTES = 64L * 1024 * 1024;

    public ShmSettings {
        if (bytes < 0) {
            throw new IllegalArgumentException("/dev/shm size must not be negative: " + bytes);
        }
    }

    /** The spec records: {@code shmsize=BYTES}. */
    public List<ContainerSpec.Extra> extras() {
        return List.of(new ContainerSpec.Extra("shmsize", Long.toString(bytes)));
    }
}
