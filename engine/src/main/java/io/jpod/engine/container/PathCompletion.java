package io.jpod.engine.container;

import io.jpod.engine.EngineException;
import io.jpod.engine.NoSuchContainerException;
import io.jpod.engine.NoSuchImageException;

import io.jpod.engine.container.ContainerRunner;
import io.jpod.engine.container.RootfsPath;

import io.jpod.storage.ContainerRecord;
import io.jpod.storage.ImageRecord;
import io.jpod.storage.Mounts;
import io.jpod.storage.RootfsDriver;
import io.jpod.storage.Store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Shell completion of paths inside an image or a container (podman's: `run IMAGE <TAB>`, `cp CONTAINER:<TAB>`). The
 * rootfs is mounted for the time of the listing (an image's through a throw-away upper dir; a container's only if
 * it is not mounted already), and every path is resolved inside it ({@link RootfsPath}), so `../../` lists the
 * root, never the host.
 */
public final class PathCompletion {
    /** The candidates, and whether the shell should add no space after a lone one (a directory: more may follow). */
    public record Candidates(List<String> values, boolean noSpace) {
    }

    private final Store store;
    private final RootfsDriver driver;

  public   PathCompletion(Store store, RootfsDriver driver) {
        this.store = store;
        this.driver = driver;
    }

    /** Paths in the image {@code ref} (a name or id) that complete {@code typed}. */
    public Candidates inImage(String ref, String typed) {
        ImageRecord image = store.images().get(ref).orElseThrow(() -> new NoSuchImageException(ref));
        Path work;
        try {
            Files.createDirectories(store.root().resolve("tmp"));
            work = Files.createTempDirectory(store.root().resolve("tmp"), "complete-");
        } catch (IOException e) {
            throw new EngineException("cannot prepare a mount of image " + ref + ": " + e.getMessage(), e);
        }
        Path merged = work.resolve("merged");
        try {
            for (String d : List.of("upper", "work", "merged")) {
                Files.createDirectory(work.resolve(d));
            }
            driver.mount(lowers(image), work.resolve("upper"), work.resolve("work"), merged);
            try {
                return complete(merged, typed);
            } finally {
                driver.unmount(merged);
            }
        } catch (IOException e) {
            throw new EngineException("cannot mount image " + ref + ": " + e.getMessage(), e);
        } finally {
            ContainerRunner.deleteTree(work);
        }
    }

    /** Paths in the container {@code idOrName} that complete {@code typed}. */
    public Candidates inContainer(String idOrName, String typed) {
        ContainerRecord c = store.containers().get(idOrName).orElseThrow(() -> new NoSuchContainerException(idOrName));
        Path merged = store.containers().mergedDir(c.id());
        if (Mounts.isMountPoint(merged)) {
            return complete(merged, typed);
        }
        ImageRecord image = store.images().get(c.imageId()).orElseThrow(() -> new NoSuchImageException(c.imageId()));
        driver.mount(lowers(image), store.containers().upperDir(c.id()), store.containers().workDir(c.id()), merged);
        try {
            return complete(merged, typed);
        } finally {
            driver.unmount(merged);
        }
    }

    private List<Path> lowers(ImageRecord image) {
        List<Path> lowers = new ArrayList<>();
        for (int i = image.layers().size() - 1; i >= 0; i--) {
            lowers.add(store.layers().diffDir(image.layers().get(i)));
        }
        return lowers;
    }

    /**
     * podman's rules: "" means "/"; when {@code typed} names a directory its entries are listed, else the entries of
     * its parent that start with its last part. Each candidate is {@code typed}'s directory part as typed (not
     * cleaned) joined with the entry's name, a directory with a trailing "/". NoSpace unless there is exactly one
     * candidate and it is not a directory.
     */
    static Candidates complete(Path root, String typed) {
        String dir = typed.isEmpty() ? "/" : typed;
        String prefix = "";
        Path listed = RootfsPath.resolve(root, dir);
        List<String> out = new ArrayList<>();
        int count = 0;
        if (Files.isDirectory(listed) && !dir.endsWith("/")) { // "/etc": "/etc/" itself, then what is in it
            out.add(dir + "/");
            count += 2;
        }
        if (!Files.isDirectory(listed)) {
            int slash = dir.lastIndexOf('/');
            prefix = dir.substring(slash + 1);
            dir = dir.substring(0, slash + 1);
            listed = RootfsPath.resolve(root, dir.isEmpty() ? "." : dir);
            if (!Files.isDirectory(listed)) {
                return new Candidates(List.of(), false);
            }
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(listed)) {
            for (Path e : entries) {
                String name = e.getFileName().toString();
                if (!name.startsWith(prefix)) {
                    continue;
                }
                boolean isDir = Files.isDirectory(e, LinkOption.NOFOLLOW_LINKS);
                out.add(join(dir, name) + (isDir ? "/" : ""));
                count += isDir ? 2 : 1; // a directory counts twice: no space after it
            }
        } catch (IOException e) {
            return new Candidates(List.of(), false);
        }
        out.sort(null);
        return new Candidates(out, count != 1);
    }

    /** {@code dir + name} with one "/" between, and nothing else changed ("../../" stays as typed). */
    private static String join(String dir, String name) {
        return dir.isEmpty() || dir.endsWith("/") ? dir + name : dir + "/" + name;
    }

}
