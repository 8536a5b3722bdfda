package io.jpod.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Random tar streams mixing hostile and normal entries never create or change anything outside the root. */
class UnpackerPropertyTest {
    private static final String[] COMPONENTS = {"a", "b", "c", "..", ".", "", "sentinel", "etc", ".wh.a", ".wh..wh..opq",
            "link", "x", "loop", "d"};
    private static final int[] FILE_MODES = {0644, 0755, 0000, 04755, 0444, 0600};
    private static final int[] DIR_MODES = {0755, 0555, 0000, 0700, 01777, 0311};

    @TempDir
    Path tmp;

    @Test
    void randomStreamsStayInsideTheRoot() throws IOException {
        Path root = tmp.resolve("root");
        Path sentinel = Files.createDirectory(tmp.resolve("sentinel"));
        Path outside = Files.writeString(tmp.resolve("outside.txt"), "original");
        String sentinelPerms = PosixFilePermissions.toString(Files.getPosixFilePermissions(sentinel));
        String outsidePerms = PosixFilePermissions.toString(Files.getPosixFilePermissions(outside));
        String[] linkTargets = {"/", "..", "../..", "../sentinel", "../outside.txt", "a", "b/c", "/etc", ".", "link",
                "../../../../tmp", "a/../..", sentinel.toString(), outside.toString(), "loop", "x/../../sentinel", "d/.."};
        int refused = 0;
        int accepted = 0;
        for (int i = 0; i < 200; i++) {
            Random rnd = new Random(0x5eed_0000L + i);
            Files.createDirectory(root);
            byte[] tar = randomTar(rnd, linkTargets);
            try {
                new LayerUnpacker(null).unpack(new ByteArrayInputStream(tar), root);
                accepted++;
            } catch (StorageException e) {
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
                assertTrue(e.getMessage().startsWith("layer entry \"") || e.getMessage().contains("tar archive"),
                        "seed " + i + ": " + e.getMessage());
                refused++;
            }
            try (Stream<Path> s = Files.list(sentinel)) {
                assertEquals(List.of(), s.toList(), "seed " + i + ": sentinel dir must stay empty");
            }
            try (Stream<Path> s = Files.list(tmp)) {
                assertEquals(Set.of("root", "sentinel", "outside.txt"), s.map(p -> p.getFileName().toString())
                        .collect(Collectors.toSet()), "seed " + i);
            }
            assertEquals("original", Files.readString(outside), "seed " + i);
            assertEquals(1, (Integer) Files.getAttribute(outside, "unix:nlink"), "seed " + i + ": no link to the outside file");
            assertEquals(outsidePerms, PosixFilePermissions.toString(Files.getPosixFilePermissions(outside)), "seed " + i);
            assertEquals(sentinelPerms, PosixFilePermissions.toString(Files.getPosixFilePermissions(sentinel)), "seed " + i);
            Fs.deleteTree(root);
        }
        assertTrue(refused > 20 && accepted > 20, "the generator mixes both: refused " + refused + ", accepted " + accepted);
    }

    private static byte[] randomTar(Random rnd, String[] linkTargets) {
        TarBuilder t = new TarBuilder();
        List<String> used = new ArrayList<>();
        int n = 1 + rnd.nextInt(15);
        for (int k = 0; k < n; k++) {
            String name = randomName(rnd);
            switch (rnd.nextInt(9)) {
                case 0, 1 -> t.file(fileName(name), "data" + k, FILE_MODES[rnd.nextInt(FILE_MODES.length)]);
                case 2, 3 -> t.dir(name, DIR_MODES[rnd.nextInt(DIR_MODES.length)]);
                case 4, 5 -> t.symlink(name, linkTargets[rnd.nextInt(linkTargets.length)]);
                case 6 -> t.hardlink(name, !used.isEmpty() && rnd.nextBoolean() ? used.get(rnd.nextInt(used.size()))
                        : rnd.nextBoolean() ? "../outside.txt" : randomName(rnd));
                case 7 -> t.fifo(name, 0644);
                default -> {
                    if (rnd.nextBoolean()) {
                        t.charDevice(name, 0, 0);
                    } else {
                        t.file(name.isEmpty() ? ".wh.x" : name + "/.wh." + COMPONENTS[rnd.nextInt(4)], "");
                    }
                }
            }
            used.add(name);
        }
        return t.build();
    }

    /** A trailing "/" makes commons-compress treat the entry as a directory (no content allowed). */
    private static String fileName(String name) {
        String s = name;
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s.isEmpty() ? "a" : s;
    }

    private static String randomName(Random rnd) {
        StringBuilder b = new StringBuilder();
        switch (rnd.nextInt(5)) {
            case 0 -> b.append('/');
            case 1 -> b.append("./");
            default -> {
            }
        }
        int comps = 1 + rnd.nextInt(4);
        for (int i = 0; i < comps; i++) {
            if (i > 0) {
                b.append('/');
            }
            b.append(COMPONENTS[rnd.nextInt(COMPONENTS.length)]);
        }
        String s = b.toString();
        return s.isEmpty() ? "a" : s;
    }
}
