package io.jpod.storage;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;

/**
 * Test helper run as a separate JVM: opens the store at args[0], stages a layer without committing, prints "staged",
 * then waits on stdin; the test kills it with SIGKILL to leave the leftovers of a crash.
 */
public final class CrashingStager {
    public static void main(String[] args) throws Exception {
        Store store = Store.open(Path.of(args[0]));
        byte[] tar = new TarBuilder().dir("ro", 0555).file("ro/f", "x", 0444).build();
        store.layers().stage(new ByteArrayInputStream(tar), null);
        System.out.println("staged");
        System.out.flush();
        while (System.in.read() != -1) {
            // until killed
        }
    }
}
