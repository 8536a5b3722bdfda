package io.jpod.cli.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jpod.image.ImageProgressEvent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DockerProgressTest {
    private static final String D = "sha256:0123456789ab" + "0".repeat(52);

    @Test
    void pullLayersAsDockersJsonProgress() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DockerProgress p = new DockerProgress(buf, false);
        p.accept(new ImageProgressEvent.CopyStarted()); // nothing in docker's output
        p.accept(new ImageProgressEvent.BlobWaiting(D, 2000));
        p.accept(new ImageProgressEvent.BlobProgress(D, 1000, 2000));
        p.accept(new ImageProgressEvent.BlobCopied(D, 2000, false));
        p.accept(new ImageProgressEvent.WritingManifest());
        assertEquals("""
                {"status":"Pulling fs layer","progressDetail":{},"id":"0123456789ab"}
                {"status":"Downloading","progressDetail":{"current":1000,"total":2000},"progress":"[========================>                         ] 1.0kB/2.0kB","id":"0123456789ab"}
                {"status":"Download complete","progressDetail":{},"id":"0123456789ab"}
                {"status":"Pull complete","progressDetail":{},"id":"0123456789ab"}
                """, buf.toString(StandardCharsets.UTF_8));
    }

    @Test
    void pushStates() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DockerProgress p = new DockerProgress(buf, true);
        p.accept(new ImageProgressEvent.BlobSkipped(D, false, null));
        p.accept(new ImageProgressEvent.BlobSkipped(D, false, "other/repo"));
        p.accept(new ImageProgressEvent.BlobCopied(D, 1, false));
        p.accept(new ImageProgressEvent.ConfigCopied(D, false));
        assertEquals("""
                {"status":"Layer already exists","progressDetail":{},"id":"0123456789ab"}
                {"status":"Mounted from other/repo","progressDetail":{},"id":"0123456789ab"}
                {"status":"Pushed","progressDetail":{},"id":"0123456789ab"}
                """, buf.toString(StandardCharsets.UTF_8));
    }
}
