package io.jpod.storage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * Not a test: the CPU one unpack of a many-small-files layer costs (run: java -cp
 * storage/target/classes:storage/target/test-classes:DEPS io.jpod.storage.UnpackCpuBench DIR [FILES] [ROUNDS]).
 * The layer is a node_modules-like tree (packages of a package.json and 1–8 KiB files in lib/ and lib/internal/,
 * owned 0:0, as bench/pull.sh's small-files image), unpacked from memory, so neither the network nor inflate counts;
 * the unpacking thread's own CPU time (user and system) is printed for each round, which a loaded machine disturbs
 * far less than wall time.
 */
public final class UnpackCpuBench {
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "/tmp");
        int files = args.length > 1 ? Integer.parseInt(args[1]) : 13334;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 6;
        Random r = new Random(11);
        TarBuilder tb = new TarBuilder();
        int f = 0;
        for (int pkg = 0; f < files; pkg++) {
            String p = "app/node_modules/pkg-" + pkg;
            tb.dir("app/", 0755).dir("app/node_modules/", 0755).dir(p + "/", 0755).dir(p + "/lib/", 0755)
                    .dir(p + "/lib/internal/", 0755);
            tb.file(p + "/package.json", "{\"name\":\"pkg-" + pkg + "\"}\n", 0644, 0, 0, Map.of());
            f++;
            int per = 8 + r.nextInt(24);
            for (int i = 0; i < per && f < files; i++, f++) {
                byte[] data = new byte[1024 + r.nextInt(7 * 1024 + 1)];
                for (int k = 0; k < data.length; k++) {
                    data[k] = (byte) ('a' + r.nextInt(26));
                }
                tb.file(p + (i % 3 == 2 ? "/lib/internal/m" : "/lib/m") + i + ".js", new String(data, StandardCharsets.ISO_8859_1),
                        0644, 0, 0, Map.of());
            }
        }
        byte[] tar = tb.build();
        System.out.printf("layer: %d files, %d MiB%n", files, tar.length >> 20);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int round = 0; round < rounds; round++) {
            Path root = Files.createTempDirectory(dir, "unpack-cpu-");
            LayerUnpacker u = new LayerUnpacker(null, null);
            long cpu0 = threads.getCurrentThreadCpuTime();
            long user0 = threads.getCurrentThreadUserTime();
            long t0 = System.nanoTime();
            u.unpack(new ByteArrayInputStream(tar), root);
            long wall = System.nanoTime() - t0;
            long cpu = threads.getCurrentThreadCpuTime() - cpu0;
            long user = threads.getCurrentThreadUserTime() - user0;
            System.out.printf("round %d: cpu %6.0f ms (user %6.0f, sys %6.0f), wall %6.0f ms%n", round, cpu / 1e6, user / 1e6,
                    (cpu - user) / 1e6, wall / 1e6);
            Fs.deleteTree(root);
        }
    }
}
