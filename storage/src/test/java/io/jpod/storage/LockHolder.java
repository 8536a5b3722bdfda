package io.jpod.storage;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Test helper run as a separate JVM: takes a lock on a file ("shared" or "exclusive"), prints "locked", and holds it
 * until its stdin reaches EOF (the test closes it), so tests can have another live process hold a lock.
 */
public final class LockHolder {
    public static void main(String[] args) throws Exception {
        boolean shared = args[1].equals("shared");
        try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            FileLock lock = ch.lock(0, Long.MAX_VALUE, shared);
            System.out.println("locked");
            System.out.flush();
            while (System.in.read() != -1) {
                // hold until EOF
            }
            lock.release();
        }
    }
}
