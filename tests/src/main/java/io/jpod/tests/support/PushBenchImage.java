package io.jpod.tests.support;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Builds the image bench/unpack.sh pulls and pushes it: {@code PushBenchImage HOST:PORT REPOSITORY TAG LAYERS
 * FILES_PER_LAYER FILE_KIB}. On top of the busybox base, each layer holds FILES_PER_LAYER files of FILE_KIB KiB,
 * alternately text (compresses well) and random bytes (does not), plus a few directories and symlinks. Seeded, so
 * the same arguments always give the same image.
 */
public final class PushBenchImage {
    private PushBenchImage() {}

    public static void main(String[] args) {
        if (args.length != 6) {
            System.err.println("usage: PushBenchImage HOST:PORT REPOSITORY TAG LAYERS FILES_PER_LAYER FILE_KIB");
            System.exit(2);
        }
        int layers = Integer.parseInt(args[3]);
        int files = Integer.parseInt(args[4]);
        int kib = Integer.parseInt(args[5]);
        Random random = new Random(7);
        OciImageBuilder b = TestImage.busybox();
        for (int l = 0; l < layers; l++) {
            LayerBuilder layer = new LayerBuilder();
            for (int f = 0; f < files; f++) {
                byte[] data = new byte[kib * 1024];
                if (f % 2 == 0) {
                    random.nextBytes(data);
                } else {
                    byte[] line = ("layer " + l + " file " + f + " lorem ipsum dolor sit amet\n").getBytes(StandardCharsets.UTF_8);
                    for (int i = 0; i < data.length; i++) {
                        data[i] = line[i % line.length];
                    }
                }
                String dir = "data/l" + l + "/d" + (f % 10);
                layer.file(dir + "/f" + f, data, 0644);
                if (f % 20 == 0) {
                    layer.symlink(dir + "/link" + f, "f" + f);
                }
            }
            b.layer(layer);
        }
        BuiltImage image = b.build();
        long bytes = image.layers().stream().mapToLong(Blob::size).sum();
        String digest = new RegistryClient(args[0]).push(image, args[1], args[2]);
        System.out.println("pushed " + args[0] + "/" + args[1] + ":" + args[2] + " manifest " + digest + ", "
                + image.layers().size() + " layers, " + bytes / 1024 + " KiB compressed");
    }
}
