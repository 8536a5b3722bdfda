package io.jpod.cli;

import io.jpod.image.ImageConfig;
import io.jpod.image.ImageReference;
import io.jpod.rootless.ContainerSpec;
import io.jpod.storage.Store;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The class-data cache's training run (`jpod __train`, started once by the launcher): walks the start-up path
 * of common commands against a throw-away store in a temp dir, so the classes (and on JDK 25 the linked call
 * sites and profiles) they need are in the cache. It touches no state of the user's.
 */
final class Training {
    private static final String CONFIG = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"PATH=/bin\"],"
            + "\"Cmd\":[\"sh\"],\"WorkingDir\":\"/\"},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";

    private Training() {
    }

    static int run() {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        for (String cmd : new String[]{"run", "pull", "images", "ps", "rm"}) {
            Main.commandLine(Map.of(), sink, sink, new String[]{cmd}).execute(cmd, "--help");
        }
        Main.commandLine(Map.of(), sink, sink, new String[]{"run"}).parseArgs("run", "--rm", "-e", "A=B", "alpine", "echo", "hi");
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory("jpod-train");
            ImageReference.parse("127.0.0.1:5000/library/alpine:latest").name();
            byte[] config = CONFIG.getBytes(StandardCharsets.UTF_8);
            ImageConfig.parse(config, "training").config().env();
            String id = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(config));
            try (Store store = Store.open(tmp.resolve("storage"))) {
                store.images().put(id, "{}".getBytes(StandardCharsets.UTF_8), config, id, List.of(), 1, "localhost/train:latest", null);
                store.images().get("localhost/train:latest");
                store.images().config(id);
                String cid = "0".repeat(64);
                store.containers().create(cid, "train", id, "localhost/train:latest", List.of("true"));
                store.containers().list();
                store.containers().remove(cid);
            }
            new ContainerSpec(tmp, "train", "/", 0, 0, List.of(), List.of("PATH=/bin"), List.of("true"),
                    ContainerSpec.Network.NONE, null, 65520, List.of(), null, null).writeTo(tmp.resolve("spec"));
            io.jpod.engine.container.TrainingRun.run(tmp.resolve("run"));
            return 0;
        } catch (Exception e) {
            return 1;
        } finally {
            if (tmp != null) {
                try (Stream<Path> walk = Files.walk(tmp)) {
                    walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException e) {
                    // a temp dir left behind is harmless
                }
            }
        }
    }
}
