package io.jpod.engine.container;

import io.jpod.engine.EngineException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Resolves a path inside a container's rootfs the way the container itself would see it: every component is
 * looked at without following links, and a symlink is resolved relative to the rootfs root, never the host's.
 * Used for what jpod reads or creates in an image before the container starts (/etc/passwd, mount points,
 * the working dir); the rootfs is not running yet, so nothing can swap a component underneath.
 */
public final class RootfsPath {
    private static final int MAX_LINKS = 40; // the kernel's own limit for nested symlinks

    private RootfsPath() {
    }

    /** The host path that {@code containerPath} denotes inside {@code root}; never outside {@code root}. */
    public static Path resolve(Path root, String containerPath) {
        Deque<String> todo = new ArrayDeque<>();
        push(todo, containerPath);
        Deque<String> done = new ArrayDeque<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String part = todo.pop();
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!done.isEmpty()) {
                    done.removeLast();
                }
                continue;
            }
            Path candidate = join(root, done).resolve(part);
            if (Files.isSymbolicLink(candidate)) {
                if (++links > MAX_LINKS) {
                    throw new EngineException("too many levels of symbolic links resolving " + containerPath + " in the image");
                }
                String target;
                try {
                    target = Files.readSymbolicLink(candidate).toString();
                } catch (IOException e) {
                    throw new EngineException("cannot read link " + candidate + ": " + e.getMessage(), e);
                }
                if (target.startsWith("/")) {
                    done.clear();
                }
                push(todo, target);
                continue;
            }
            done.addLast(part);
        }
        return join(root, done);
    }

    /** Whether the resolved path exists as a directory (without following a final link, which resolve removed). */
    public static boolean isDirectory(Path resolved) {
        return Files.isDirectory(resolved, LinkOption.NOFOLLOW_LINKS);
    }

    private static void push(Deque<String> todo, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            todo.push(parts[i]);
        }
    }

    private static Path join(Path root, Deque<String> parts) {
        Path p = root;
        for (String s : parts) {
            p = p.resolve(s);
        }
        return p;
    }
}
