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

    /** Why the storage driver in use was chosen, for `jpod info`. */
    public String storageDriverReason() {
        return DriverSelector.decide(storageDriver, store(), dirs, NativeHelper.locate(env), env).reason();
    }

    /** `jpod mount/umount/diff/export/commit`. */
    public ContainerFiles containerFiles() {
        NativeHelper helper = NativeHelper.locate(env);
        Store s = store();
        return new ContainerFiles(s, DriverSelector.choose(storageDriver, s, dirs, helper, env, err));
    }

    /** `jpod system df/prune/reset/check`. */
    public SystemCommands system() {
        return new SystemCommands(store(), dirs, NativeHelper.locate(env));
    }

    @Override
    public void close() {
        if (store != null) {
            store.close();
        }
    }
}
