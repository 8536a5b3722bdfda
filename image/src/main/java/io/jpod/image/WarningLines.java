package io.jpod.image;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The store's warning lines (a layer's skipped device nodes, dropped ownership) as {@link ImageProgressEvent.Warning}
 * events of the transfer that unpacks the layer, so they reach the caller rather than the process's stderr.
 */
final class WarningLines extends OutputStream {
    private final Consumer<ImageProgressEvent> progress;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    private WarningLines(Consumer<ImageProgressEvent> progress) {
        this.progress = progress;
    }

    /** A stream whose lines become warning events; null (warnings dropped) when there is nowhere to send them. */
    static PrintStream to(Consumer<ImageProgressEvent> progress) {
        return progress == null ? null : new PrintStream(new WarningLines(progress), true, StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            progress.accept(new ImageProgressEvent.Warning(line.toString(StandardCharsets.UTF_8)));
            line.reset();
        } else {
            line.write(b);
        }
    }
}
