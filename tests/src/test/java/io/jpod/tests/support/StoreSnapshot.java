package io.jpod.tests.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What `jpod images -a` lists and which layer, image and blob entries the store holds: two equal snapshots around a
 * refused command show that it left the store exactly as it was.
 */
public record StoreSnapshot(Set<String> images, Set<String> layers, Set<String> imageDirs, Set<String> blobs) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static StoreSnapshot of(JpodEnv env) throws IOException {
        Result images = env.run(Duration.ofSeconds(60), "images", "-a", "--format", "json");
        if (images.exitCode() != 0) {
            throw new AssertionError("jpod images failed: " + images);
        }
        Set<String> listed = new TreeSet<>();
        for (JsonNode n : JSON.readTree(images.stdout())) {
            listed.add(n.path("Id").asText() + " " + n.path("Names"));
        }
        Path root = env.storageRoot();
        return new StoreSnapshot(listed, list(root.resolve("overlay")), list(root.resolve("images")), list(root.resolve("blobs/sha256")));
    }

    private static Set<String> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Set.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
