package io.jpod.engine.pod;

import io.jpod.engine.EngineException;
import io.jpod.engine.system.JpodVersion;
import io.jpod.image.ImageImporter;
import io.jpod.storage.ImageRecord;
import io.jpod.storage.Store;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The image of a pod's infra container: {@code localhost/podman-pause:VERSION-BUILT}, named as podman names its own,
 * built in jpod's store on first need (pod create) as one layer holding the host's static catatonit at
 * {@code /catatonit}, entrypoint {@code /catatonit -P} (podman's Containerfile). Scripts find it, `images` lists it,
 * `rmi` refuses it while an infra uses it and `rmi -f` removes those pods. The infra's process itself is the helper's
 * pause init ({@link PodInfra}), which does what catatonit -P does without a rootfs to mount per pod.
 */
public final class PauseImage {
    /** Where distributions put a static catatonit (podman's own copy first). */
    private static final List<Path> CATATONIT = List.of(Path.of("/usr/libexec/podman/catatonit"), Path.of("/usr/bin/catatonit"),
            Path.of("/usr/local/libexec/podman/catatonit"), Path.of("/usr/local/bin/catatonit"));
    static final List<String> ENTRYPOINT = List.of("/catatonit", "-P");

    private PauseImage() {
    }

    /** podman's name: {@code localhost/podman-pause:<version>-<build time>}. */
    public static String reference() {
        return "localhost/podman-pause:" + JpodVersion.VERSION + "-" + JpodVersion.BUILT;
    }

    /** The pause image, built now when the store has none (under the store lock: concurrent pod creates build it once). */
    public static ImageRecord ensure(Store store) {
        String name = reference();
        return store.locked(() -> store.images().get(name).orElseGet(() -> build(store, name)));
    }

    private static ImageRecord build(Store store, String name) {
        try {
            return ImageImporter.importTarball(store, new ByteArrayInputStream(layer()),
                    List.of("ENTRYPOINT [\"/catatonit\", \"-P\"]"), "the pod infra's pause image, built by jpod", name,
                    event -> { }); // a tar built here in memory: nothing to warn about
        } catch (IOException e) {
            throw new EngineException("cannot build the pause image " + name + ": " + e.getMessage(), e);
        }
    }

    /** The layer: /catatonit (0755, root's) when the host has a static one; else no file (the config still names it). */
    static byte[] layer() throws IOException {
        Path binary = CATATONIT.stream().filter(Files::isRegularFile).findFirst().orElse(null);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            if (binary != null) {
                byte[] data = Files.readAllBytes(binary);
                TarArchiveEntry e = new TarArchiveEntry("catatonit");
                e.setMode(0100755);
                e.setSize(data.length);
                e.setIds(0, 0);
                e.setModTime(0);
                tar.putArchiveEntry(e);
                tar.write(data);
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
        return bytes.toByteArray();
    }
}
