package io.jpod.engine;

import io.jpod.rootless.NativeHelper;
import io.jpod.storage.ContainerRecord;
import io.jpod.storage.ImageRecord;
import io.jpod.storage.Store;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one entry point the CLI uses. Opens the store lazily so commands that never touch it stay cheap.
 * Every jpod JVM runs inside the rootless user and mount namespaces (the launcher joined them).
 */
public final class Engine implements AutoCloseable {
    private final Dirs dirs;
    private final Map<String, String> env;
    private final PrintStream err;
    private final String storageDriver;
    private Store store;

    public Engine(Dirs dirs, Map<String, String> env, PrintStream err, String storageDriver) {
        this.dirs = dirs;
        this.env = env;
        this.err = err;
        this.storageDriver = storageDriver;
    }

    public Dirs dirs() {
        return dirs;
    }

    private Store store() {
        if (store == null) {
            dirs.runRoot().create(err);
            store = Store.open(dirs.storageRoot());
        }
        return store;
    }

    public int run(RunRequest request) {
        NativeHelper helper = NativeHelper.locate(env);
        Store s = store();
        return new ContainerRunner(s, dirs, helper, DriverSelector.choose(storageDriver, s, dirs, helper, env, err), env, err).run(request);
    }

    public ImageRecord pull(String name, boolean tlsVerify, String platform, boolean quiet, PrintStream progress) {
        return new ImageResolver(store()).pull(name, tlsVerify, platform, quiet, progress);
    }

    /** A pull with registry credentials: "USER:PASS" as --creds gives them, else from authfile / podman's auth files. */
    public ImageRecord pull(String name, boolean tlsVerify, String platform, boolean quiet, PrintStream progress, String creds,
                            String authfile) {
        return imageCommands().pull(name, tlsVerify, platform, quiet, progress, creds, authfile);
    }

    /** `jpod login`: checks the credentials with the registry and stores them; returns the file written. */
    public java.nio.file.Path login(String registry, String username, String password, String authfile, boolean tlsVerify) {
        return ImageCommands.login(env, registry, new io.jpod.image.Credentials(username, password), authfile, tlsVerify);
    }

    /** `jpod logout`: false when there were no credentials for the registry. */
    public boolean logout(String registry, String authfile) {
        return ImageCommands.logout(env, registry, authfile);
    }

    /** `jpod push`: the pushed manifest digest. */
    public String push(String image, String destination, boolean tlsVerify, boolean quiet, PrintStream progress, String creds,
                       String authfile) {
        return imageCommands().push(image, destination, tlsVerify, quiet, progress, creds, authfile);
    }

    public void save(String image, java.io.OutputStream out) {
        imageCommands().save(image, out);
    }

    /** @param file the archive, or null to read {@code in} */
    public List<ImageRecord> load(java.nio.file.Path file, java.io.InputStream in, PrintStream progress) {
        return imageCommands().load(file, in, progress);
    }

    /** `jpod import`: file null reads {@code in}. */
    public ImageRecord importTarball(java.nio.file.Path file, java.io.InputStream in, List<String> changes, String message,
                                     String reference) {
        return imageCommands().importTarball(file, in, changes, message, reference);
    }

    public void tag(String image, List<String> targets) {
        imageCommands().tag(image, targets);
    }

    public void untag(String image, List<String> names) {
        imageCommands().untag(image, names);
    }

    /** `jpod rmi`: the lines to print ("Untagged: …", "Deleted: …"). */
    public List<String> removeImages(List<String> images, boolean force, boolean all) {
        return imageCommands().remove(images, force, all);
    }

    public List<String> pruneImages(boolean all) {
        return imageCommands().prune(all);
    }

    public Map<String, Object> inspectImage(String image) {
        return imageCommands().inspect(image);
    }

    /** Rows of created, created-by, size, comment; newest first. */
    public List<String[]> imageHistory(String image) {
        return imageCommands().history(image);
    }

    public ImageRecord findImage(String nameOrId) {
        return imageCommands().find(nameOrId);
    }

    private ImageCommands imageCommands;

    private ImageCommands imageCommands() {
        if (imageCommands == null) {
            imageCommands = new ImageCommands(store(), env);
        }
        return imageCommands;
    }

    public List<ImageRecord> images() {
        return store().images().list();
    }

    public Optional<ImageRecord> image(String nameOrId) {
        return new ImageResolver(store()).local(nameOrId);
    }

    public List<ContainerRecord> containers() {
        return store().containers().list();
    }

    /** Removes a stopped container and its rootfs changes. */
    public void removeContainer(String idOrName) {
        ContainerRecord c = store().containers().get(idOrName)
                .orElseThrow(() -> new EngineException("no container with name or id \"" + idOrName + "\" found"));
        if ("running".equals(c.state())) {
            throw new EngineException("container " + c.name() + " is running; stop it first");
        }
        store().containers().remove(c.id());
    }

    public String storageDriverName() {
        NativeHelper helper = NativeHelper.locate(env);
        return DriverSelector.choose(storageDriver, store(), dirs, helper, env, err).name();
    }

    @Override
    public void close() {
        if (store != null) {
            store.close();
        }
    }
}
