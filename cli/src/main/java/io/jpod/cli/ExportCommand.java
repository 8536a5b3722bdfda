package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.EngineException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;

/** `jpod export CONTAINER [-o FILE]`: the container's rootfs as a tar. */
@Command(name = "export", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Export a container's root filesystem as a tar archive.")
public final class ExportCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Parameters(index = "0", paramLabel = "CONTAINER", description = "Container name or id")
    String container;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of stdout")
    String output;

    @Override
    public Integer call() throws IOException {
        try (Engine engine = jpod.engine()) {
            if (output == null) {
                if (System.console() != null) {
                    throw new EngineException("refusing to write a tar archive to a terminal; use -o FILE or redirect stdout");
                }
                OutputStream out = new BufferedOutputStream(new FileOutputStream(java.io.FileDescriptor.out), 256 * 1024);
                engine.containerFiles().export(container, out);
                out.flush();
                return 0;
            }
            // written next to the target and renamed, so a failed export never leaves a truncated archive
            Path target = Path.of(output).toAbsolutePath();
            Path tmp = target.resolveSibling("." + target.getFileName() + ".jpod-export-" + ProcessHandle.current().pid());
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 256 * 1024)) {
                engine.containerFiles().export(container, out);
            } catch (RuntimeException | IOException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return 0;
        }
    }
}
