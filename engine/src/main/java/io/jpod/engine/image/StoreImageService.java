package io.jpod.engine.image;

import io.jpod.engine.system.EventLog;

import io.jpod.storage.ImageRecord;
import io.jpod.storage.Store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link ImageService} over the store's images ({@link ImageCommands}, {@link ImageResolver}). */
public final class StoreImageService implements ImageService {
    private final Store store;
    private final Map<String, String> env;
    private final ImageCommands commands;
    private final java.nio.file.Path runRoot;

    /**
     * @param env     the caller's environment (registries.conf and auth files are found through it)
     * @param runRoot where image events are logged ({@code jpod events}); null: nowhere
     */
    public StoreImageService(Store store, Map<String, String> env, ImageCommands commands, java.nio.file.Path runRoot) {
        this.store = store;
        this.env = env;
        this.commands = commands;
        this.runRoot = runRoot;
    }

    @Override
    public List<ImageSummaryReport> list(ImageListOptions options) {
        List<ImageRecord> records = store.images().list();
        if (!options.all()) {
            records = IntermediateImages.hide(commands, records);
        }
        List<ImageSummaryReport> out = new ArrayList<>(records.size());
        for (ImageRecord r : records) {
            out.add(commands.summary(r));
        }
        return out;
    }

    @Override
    public int count() {
        return store.images().list().size();
    }

    @Override
    public List<String> damaged() {
        return store.images().damaged();
    }

    @Override
    public Optional<ImageSummaryReport> find(String nameOrId) {
        return new ImageResolver(store, env).local(nameOrId).map(commands::summary);
    }

    @Override
    public ImageSummaryReport get(String nameOrId) {
        return commands.summary(commands.find(nameOrId));
    }

    @Override
    public Map<String, Object> inspect(String nameOrId) {
        return commands.inspect(nameOrId);
    }

    @Override
    public ImageHistoryReport history(String nameOrId) {
        return commands.history(nameOrId);
    }

    @Override
    public void tag(String image, List<String> targets) {
        commands.tag(image, targets);
    }

    @Override
    public void untag(String image, List<String> names) {
        commands.untag(image, names);
    }

    /** How `rmi -f` removes a running container of an image (stopped first); null: such an image is refused. */
    private java.util.function.Consumer<String> runningRemover;

    /** With {@code remover}, `rmi -f` removes the running containers of an image too, as podman's does. */
    public StoreImageService removingRunningContainers(java.util.function.Consumer<String> remover) {
        this.runningRemover = remover;
        return this;
    }

    @Override
    public ImageRemoveReport remove(List<String> images, ImageRemoveOptions options) {
        return commands.remove(images, options.force(), options.all(), options.force() && options.removeRunning() ? runningRemover : null);
    }

    @Override
    public ImagePruneReport prune(ImagePruneOptions options) {
        return new ImagePruneReport(commands.prune(options.all()));
    }

    @Override
    public void save(ImageSaveOptions options, java.io.OutputStream out) {
        commands.save(options.images(), options.multi(), options.format(), options.uncompressed(), out);
    }

    @Override
    public void saveDirectory(ImageSaveOptions options, java.nio.file.Path target) {
        commands.saveDirectory(options.images(), options.format(), options.compress(), target);
    }

    @Override
    public ImageSummaryReport importTarball(ImageImportOptions options, java.nio.file.Path file, java.io.InputStream in) {
        ImageRecord r = commands.importTarball(file, in, options.changes(), options.message(), options.reference());
        if (runRoot != null) {
            EventLog.of(runRoot, "image", "import", r.id().replaceFirst("^sha256:", ""), r.names().isEmpty() ? "" : r.names().get(0));
        }
        return commands.summary(r);
    }

    @Override
    public List<ImageSearchReport> search(ImageSearchOptions options) {
        return new RegistrySearch(env).search(options);
    }

    @Override
    public java.nio.file.Path login(ImageLoginOptions o) {
        return ImageCommands.login(env, o.registry(), new io.jpod.image.Credentials(o.username(), o.password()), o.authfile(), o.tlsVerify());
    }

    @Override
    public boolean logout(String registry, String authfile) {
        return ImageCommands.logout(env, registry, authfile);
    }
}
