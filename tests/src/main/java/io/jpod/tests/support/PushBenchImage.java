package io.jpod.tests.support;

import java.util.Random;

/**
 * The pull benchmark's image: the busybox base plus four layers of 30 files of 1 MiB (half random, half a repeated text
 * pattern, so gzip gets roughly 2:1 as on real images) — 5 layers, ~121 MB uncompressed. Deterministic (fixed seeds).
 * {@code PushBenchImage 127.0.0.1:5000 bench/big latest}. Used by bench/pull.sh.
 */
public final class PushBenchImage {
    private static final int LAYERS = 4;
    private static final int FILES = 30;
    private static final int FILE_SIZE = 1 << 20;

    private PushBenchImage() {}

    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: PushBenchImage REGISTRY_HOST:PORT REPOSITORY TAG");
            System.exit(2);
        }
        OciImageBuilder b = TestImage.busybox();
        byte[] text = "the quick brown fox jumps over the lazy dog 0123456789\n".repeat(20_000).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        long total = 0;
        for (int l = 0; l < LAYERS; l++) {
            LayerBuilder layer = new LayerBuilder();
            Random random = new Random(1000 + l);
            for (int f = 0; f < FILES; f++) {
                byte[] content = new byte[FILE_SIZE];
                random.nextBytes(content);
                System.arraycopy(text, (f * 7919) % 1000, content, FILE_SIZE / 2, FILE_SIZE / 2);
                layer.file("data/layer" + l + "/file" + f, content, 0644);
                total += content.length;
            }
            b.layer(layer, "bench layer " + (l + 1));
        }
        BuiltImage image = b.build();
        long compressed = image.layers().stream().mapToLong(Blob::size).sum();
        String digest = new RegistryClient(args[0]).push(image, args[1], args[2]);
        System.out.println("pushed " + args[0] + "/" + args[1] + ":" + args[2] + " manifest " + digest + " image id " + image.imageId()
                + " layers " + image.layers().size() + " data " + total + " bytes compressed " + compressed + " bytes");
    }
}
