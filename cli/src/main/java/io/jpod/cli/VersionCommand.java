package io.jpod.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.ParentCommand;

/** `jpod version` and `jpod --version`. */
@Command(name = "version", mixinStandardHelpOptions = true, description = "Show the jpod version.")
public final class VersionCommand implements Runnable {
    static final String VERSION = "0.1.0";

    @ParentCommand
    JpodCommand jpod;

    @Override
    public void run() {
        jpod.out.println("Version:      " + VERSION);
        jpod.out.println("Java:         " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        jpod.out.println("OS/Arch:      linux/" + InfoCommand.goArch());
    }

    /** For --version. */
    public static final class Provider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"jpod version " + VERSION};
        }
    }
}
