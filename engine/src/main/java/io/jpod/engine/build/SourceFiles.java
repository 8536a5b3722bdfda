package io.jpod.engine.build;

import io.jpod.engine.container.RootfsPath;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The sources of a COPY or ADD in a root (the build context, or a stage's rootfs for --from): paths are resolved
 * inside the root (".." and symlinks never leave it), globs match per path component as Docker's do, and the
 * context's ignore rules hide what they exclude. {@link #digest} is what the layer cache keys on: every file's
 * path, type, mode, owner, size and content hash (never mtimes).
 */
final class SourceFiles {
    private final Path root;
    private final IgnoreRules ignore;

    SourceFiles(Path root, IgnoreRules ignore) {
        this.root = root;
        this.ignore = ignore;
    }

    /** A matched source: its host path and its path relative to the root. */
    record Match(Path host, String relative) {
    }

    /** The matches of one source pattern; empty when nothing matches (the caller names the pattern). */
    List<Match> match(String pattern) throws IOException {
        String rel = clean(pattern);
        if (!hasGlob(rel)) {
            if (rel.isEmpty()) {
                return List.of(new Match(root, ""));
            }
            if (ignore.excluded(rel)) {
                return List.of();
            }
            Path host = RootfsPath.resolve(root, rel);
            return Files.exists(host, LinkOption.NOFOLLOW_LINKS) ? List.of(new Match(host, rel)) : List.of();
        }
        String escaped = rel.replace("{", "\\{").replace("}", "\\}");
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + escaped);
        int depth = rel.split("/").length;
        List<Match> out = new ArrayList<>();
        Files.walkFileTree(root, java.util.EnumSet.noneOf(java.nio.file.FileVisitOption.class), depth, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return visit(dir);
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                return visit(file);
            }

            private FileVisitResult visit(Path p) {
                if (p.equals(root)) {
                    return FileVisitResult.CONTINUE;
                }
                Path r = root.relativize(p);
                if (r.getNameCount() == depth && m.matches(r) && !ignore.excluded(r.toString())) {
                    out.add(new Match(p, r.toString()));
                }
                return FileVisitResult.CONTINUE;
            }
        });
        out.sort(java.util.Comparator.comparing(Match::relative));
        return out;
    }

    /** Whether the entry at the root-relative path is hidden by the ignore rules. */
    /** A directory a copy does not enter (see {@link IgnoreRules#prunes}). */
    boolean prunes(String relativeDir) {
        return ignore.prunes(relativeDir);
    }

    boolean excluded(String relative) {
        return ignore.excluded(relative);
    }

    /** Docker's cleaning of a source: relative to the root, "." and ".." folded; ".." above the root stays at it. */
    static String clean(String pattern) {
        List<String> parts = new ArrayList<>();
        for (String s : pattern.split("/+")) {
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..")) {
                if (parts.isEmpty()) {
                    throw new IllegalArgumentException("forbidden path outside the build context: " + pattern);
                }
                parts.remove(parts.size() - 1);
                continue;
            }
            parts.add(s);
        }
        return String.join("/", parts);
    }

    static boolean hasGlob(String s) {
        return s.contains("*") || s.contains("?") || s.contains("[");
    }

    /** A hash of everything the matches hold that a copy carries over, in path order. */
    String digest(List<Match> matches) throws IOException {
        MessageDigest md = sha256();
        for (Match match : matches) {
            Map<String, Path> entries = new TreeMap<>();
            if (Files.isDirectory(match.host(), LinkOption.NOFOLLOW_LINKS)) {
                try (var walk = Files.walk(match.host())) {
                    for (Path p : (Iterable<Path>) walk::iterator) {
                        String rel = root.relativize(p).toString();
                        if (!p.equals(match.host()) && excluded(rel)) {
                            continue;
                        }
                        entries.put(rel, p);
                    }
                }
            } else {
                entries.put(match.relative(), match.host());
            }
            for (Map.Entry<String, Path> e : entries.entrySet()) {
                Path p = e.getValue();
                Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size", LinkOption.NOFOLLOW_LINKS);
                StringBuilder line = new StringBuilder(e.getKey()).append('\0').append(a.get("mode")).append('\0')
                        .append(a.get("uid")).append(':').append(a.get("gid")).append('\0');
                if (Files.isSymbolicLink(p)) {
                    line.append("link:").append(Files.readSymbolicLink(p));
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    line.append(a.get("size")).append(':').append(contentHash(p));
                }
                md.update(line.append('\n').toString().getBytes(StandardCharsets.UTF_8));
            }
            // a skipped (ignored) entry inside a directory changes nothing in the copy, so it is not hashed
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static String contentHash(Path file) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[65536];
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
