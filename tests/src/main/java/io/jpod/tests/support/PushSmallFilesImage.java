package io.jpod.tests.support;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Builds the many-small-files image bench/pull.sh pulls and pushes it: {@code PushSmallFilesImage HOST:PORT REPOSITORY
 * TAG LAYERS FILES_PER_LAYER}. On top of the busybox base, each layer is a node_modules-like tree: packages of a
 * package.json, a README and source files of 1–8 KiB in lib/ and lib/internal/, mostly text that compresses like
 * JavaScript does, one file in eight random bytes. Seeded, so the same arguments always give the same image.
 */
public final class PushSmallFilesImage {
    private static final String[] WORDS = {"function", "return", "const", "module", "exports", "require", "this",
        "value", "options", "callback", "undefined", "length", "prototype", "Object", "string", "error", "if", "else",
        "for", "let", "=>", "{", "}", "(", ")", ";", "null", "true", "false", "typeof", "new", "Promise", "await"};

    private PushSmallFilesImage() {}

    public static void main(String[] args) {
        if (args.length != 5) {
            System.err.println("usage: PushSmallFilesImage HOST:PORT REPOSITORY TAG LAYERS FILES_PER_LAYER");
            System.exit(2);
        }
        int layers = Integer.parseInt(args[3]);
        int files = Integer.parseInt(args[4]);
        Random random = new Random(11);
        OciImageBuilder b = TestImage.busybox();
        long total = 0;
        for (int l = 0; l < layers; l++) {
            LayerBuilder layer = new LayerBuilder();
            int f = 0;
            for (int pkg = 0; f < files; pkg++) {
                String dir = "app/node_modules/pkg-" + l + "-" + pkg;
                layer.file(dir + "/package.json", ("{\"name\":\"pkg-" + l + "-" + pkg + "\",\"version\":\"1." + pkg
                        + ".0\",\"main\":\"lib/index.js\"}\n").getBytes(StandardCharsets.UTF_8), 0644);
                f++;
                int perPackage = 8 + random.nextInt(24);
                for (int i = 0; i < perPackage && f < files; i++, f++) {
                    byte[] data = content(random, 1024 + random.nextInt(7 * 1024 + 1), f % 8 == 7);
                    total += data.length;
                    String sub = i % 3 == 2 ? "/lib/internal/" : "/lib/";
                    layer.file(dir + sub + "m" + i + (i == 0 ? ".md" : ".js"), data, 0644);
                }
            }
            b.layer(layer);
        }
        BuiltImage image = b.build();
        long bytes = image.layers().stream().mapToLong(Blob::size).sum();
        String digest = new RegistryClient(args[0]).push(image, args[1], args[2]);
        System.out.println("pushed " + args[0] + "/" + args[1] + ":" + args[2] + " manifest " + digest + ", "
                + image.layers().size() + " layers, " + layers * files + " generated files of " + total / 1024 + " KiB, "
                + bytes / 1024 + " KiB compressed");
    }

    /** {@code size} bytes of source-like text, or of random bytes. */
    private static byte[] content(Random random, int size, boolean binary) {
        byte[] data = new byte[size];
        if (binary) {
            random.nextBytes(data);
            return data;
        }
        StringBuilder text = new StringBuilder(size + 16);
        while (text.length() < size) {
            text.append(WORDS[random.nextInt(WORDS.length)]).append(random.nextInt(10) == 0 ? "\n" : " ");
        }
        byte[] ascii = text.toString().getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(ascii, 0, data, 0, size);
        return data;
    }
}
