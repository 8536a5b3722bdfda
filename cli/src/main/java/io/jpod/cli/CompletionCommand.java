package io.jpod.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.Map;

/** `jpod completion bash`: prints a completion script; load it with `source <(jpod completion bash)`. */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = "Print a shell completion script (bash, zsh).")
public final class CompletionCommand implements Runnable {
    @ParentCommand
    JpodCommand jpod;

    @Parameters(index = "0", paramLabel = "SHELL", defaultValue = "bash", description = "bash or zsh")
    String shell;

    @Override
    public void run() {
        if (!shell.equals("bash") && !shell.equals("zsh")) {
            throw new io.jpod.engine.EngineException("unsupported shell \"" + shell + "\": use bash or zsh (zsh loads it via bashcompinit)");
        }
        CommandLine cl = Main.commandLine(Map.of(), jpod.out, jpod.err, new String[0]);
        jpod.out.print(AutoComplete.bash("jpod", cl));
    }
}
