package io.jpod.engine.build;

import java.util.List;

/**
 * One instruction of a Containerfile. keyword: upper case; flags: the leading {@code --name=value} options
 * (COPY --from=, RUN --network=, FROM --platform=, …) as written; args: the rest of the logical line (continuations
 * joined, comments inside them dropped); line: where it starts in the file.
 */
public record Instruction(String keyword, List<String> flags, String args, List<Heredoc> heredocs, int line) {
    public Instruction {
        flags = List.copyOf(flags);
        heredocs = List.copyOf(heredocs);
    }

    /** The value of flag {@code --name=value}, or null. */
    public String flag(String name) {
        String prefix = "--" + name + "=";
        String found = null;
        for (String f : flags) {
            if (f.startsWith(prefix)) {
                found = f.substring(prefix.length());
            } else if (f.equals("--" + name)) {
                found = "true";
            }
        }
        return found;
    }

    /** As written, flags included, on one line: what history's created_by and the cache key show. */
    public String text() {
        StringBuilder b = new StringBuilder(keyword);
        for (String f : flags) {
            b.append(' ').append(f);
        }
        if (!args.isEmpty()) {
            b.append(' ').append(args);
        }
        return b.toString();
    }
}
