package io.jpod.engine.image;

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

    /** @param env the caller's environment (registries.conf and auth files are found through it) */
    public StoreImageService(Store store, Map<String, String> env, ImageCommands commands) {
        this.store = store;
        this.env = env;
        this.commands = commands;
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

    @Override
    public ImageRemoveReport remove(List<String> images, ImageRemoveOptions options) {
        return commands.remove(images, options.force(), options.all());
    }

    @Override
    public ImagePruneReport prune(ImagePruneOptions options) {
        return new ImagePruneReport(commands.prune(options.all()));
    }
}
