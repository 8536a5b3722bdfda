package io.jpod.engine.image;

import io.jpod.engine.system.EventLog;

import io.jpod.storage.ImageRecord;
import io.jpod.storage.Store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import io.jpod.image.ImageProgressEvent;

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
    public ImageSummaryReport importTarball(ImageImportOptions options, java.nio.file.Path file, java.io.InputStream in,
                                           Consumer<ImageProgressEvent> warnings) {
        ImageRecord r = commands.importTarball(file, in, options.changes(), options.message(), options.reference(), warnings);
        event("import", r.id(), r.names().isEmpty() ? "" : r.names().get(0));
        return commands.summary(r);
    }

    @Override
    public ImagePullReport pull(ImagePullOptions o, Consumer<ImageProgressEvent> progress) {
        ImageRecord r = commands.pull(o.name(), o.tlsVerify(), o.platform(), o.quiet(), progress, o.credentials(), o.authfile());
        // podman records a pull from a file (docker-archive:…, dir:…) without an id, as its loads
        boolean fromFile = io.jpod.image.ImageTransports.parse(o.name()).filter(io.jpod.image.ImageTransports.Reference::local).isPresent();
        event("pull", fromFile ? null : r.id(), o.name());
        return new ImagePullReport(r.id(), r.names(), r.manifestDigest());
    }

    @Override
    public ImagePushReport push(ImagePushOptions o, Consumer<ImageProgressEvent> progress) {
        String digest = commands.push(o.image(), o.destination(), o.tlsVerify(), o.quiet(), progress, o.credentials(), o.authfile());
        // as podman's: the event names the image by its id and the destination as given
        event("push", commands.find(o.image()).id(), o.destination() == null ? o.image() : o.destination());
        return new ImagePushReport(digest);
    }

    @Override
    public ImageLoadReport load(ImageLoadOptions o, java.io.InputStream in, Consumer<ImageProgressEvent> progress) {
        List<ImageRecord> loaded = commands.load(o.file(), in, o.quiet() ? null : progress);
        // podman's: one event for the archive, no id, the archive's path as its name
        event("loadfromarchive", null, o.file() == null ? "" : o.file().toString());
        List<ImageLoadReport.Loaded> out = new ArrayList<>();
        for (ImageRecord r : loaded) {
            out.add(new ImageLoadReport.Loaded(r.id(), r.names() == null ? List.of() : r.names()));
        }
        return new ImageLoadReport(out);
    }

    /** An image event for `jpod events` (the id without "sha256:"); nothing when there is no run root. */
    private void event(String status, String id, String name) {
        if (runRoot != null) {
            EventLog.of(runRoot, "image", status, id == null ? null : id.replaceFirst("^sha256:", ""), name);
        }
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
