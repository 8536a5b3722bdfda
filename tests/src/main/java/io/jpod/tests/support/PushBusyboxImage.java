package io.jpod.tests.support;

/**
 * Builds the default busybox test image and pushes it: {@code PushBusyboxImage 127.0.0.1:5000 library/alpine latest
 * [--oci]}. Prints the manifest digest and the image id. Used by scripts/demo.sh.
 */
public final class PushBusyboxImage {

    private PushBusyboxImage() {}

    public static void main(String[] args) {
        if (args.length < 3 || args.length > 4 || (args.length == 4 && !args[3].equals("--oci"))) {
            System.err.println("usage: PushBusyboxImage REGISTRY_HOST:PORT REPOSITORY TAG [--oci]");
            System.exit(2);
        }
        OciImageBuilder.Format format = args.length == 4 ? OciImageBuilder.Format.OCI : OciImageBuilder.Format.DOCKER_V2;
        try {
            BuiltImage image = TestImage.busybox().format(format).build();
            String digest = new RegistryClient(args[0]).push(image, args[1], args[2]);
            System.out.println("pushed " + args[0] + "/" + args[1] + ":" + args[2] + " manifest " + digest
                    + " image id " + image.imageId());
        } catch (RuntimeException e) {
            System.err.println("PushBusyboxImage: " + e.getMessage());
            System.exit(1);
        }
    }
}
