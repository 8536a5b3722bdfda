package io.jpod.rootless;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ShmSettingsTest {
    @Test
    void writesOneShmsizeRecordInBytes() {
        assertEquals(List.of(new ContainerSpec.Extra("shmsize", "134217728")), new ShmSettings(128L << 20).extras());
        assertEquals(List.of(new ContainerSpec.Extra("shmsize", "0")), new ShmSettings(0).extras());
        assertThrows(IllegalArgumentException.class, () -> new ShmSettings(-1));
    }
}
