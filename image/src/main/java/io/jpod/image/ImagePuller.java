package io.jpod.image;

import io.jpod.storage.ImageRecord;
import io.jpod.storage.StagedLayer;
import io.jpod.storage.Store;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.FileSystemException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Pulls an image into the store: manifest (choosing a platform from an index), config, missing layers, image record.
 * Everything downloaded is verified (manifest by digest, config and layer blobs by sha256 and size, layers' diff ids).
 * Layers are downloaded and unpacked up to {@value #PARALLEL_LAYERS} at a time into staging, and only committed once all of
 * them verified, so a failed pull leaves the store as it was.
 */
public final class ImagePuller {
    static final int PARALLEL_LAYERS = 3;
    /** how often a download reports its bytes: a live display redraws at about this rate */
    private static final long PROGRESS_NANOS = 200_000_000L;

    private final PullTarget target;
    private final PullOptions options;
    private final java.util.function.Supplier<Credentials> credentials;

    public ImagePuller(Store store, PullOptions options) {
        this(store, options, (Credentials) null);
    }

    /** @param credentials for the image's registry, or null for anonymous access */
    public ImagePuller(Store store, PullOptions options, Credentials credentials) {
        this(new StoreTarget(store, WarningLines.to(options.progress())), options, credentials);
    }

    /** @param credentials asked only when the registry challenges for authentication (see {@link AuthStore}) */
    public ImagePuller(Store store, PullOptions options, java.util.function.Supplier<Credentials> credentials) {
        this.target = new StoreTarget(store, WarningLines.to(options.progress())); // warnings even with -q, as before
        this.options = options;
        this.credentials = credentials == null ? () -> null : credentials;
    }

    ImagePuller(PullTarget target, PullOptions options, Credentials credentials) {
        this.target = target;
        this.options = options;
        this.credentials = () -> credentials;
    }

    /** Idempotent: layers already in the store are not downloaded again; the image record gets the name merged in. */
    public ImageRecord pull(ImageReference ref) {
        return pull(ref, ref, options.tlsVerify());
    }

    /**
     * Pulls {@code from} (a mirror or a rewritten location, see {@link RegistriesConf}) and stores it under the name of
     * {@code as}; {@code tlsVerify} false allows plain HTTP to that endpoint.
     */
    public ImageRecord pull(ImageReference from, ImageReference as, boolean tlsVerify) {
        Platform platform = Platform.parse(options.platform());
        try (RegistryClient client = new RegistryClient(from, tlsVerify, credentials).rememberingPlainHttp(options.plainHttp())) {
            return pull(from, as, platform, client);
        }
    }

    ImageRecord pull(ImageReference ref, Platform platform, RegistryClient client) {
        return pull(ref, ref, platform, client);
    }

    private ImageRecord pull(ImageReference ref, ImageReference as, Platform platform, RegistryClient client) {
        String image = ref.name();
        progress(new ImageProgressEvent.Trying(image));

        FetchedManifest top = client.manifest(ref.manifestReference());
        Manifest parsed = ManifestParser.parse(top.content(), top.contentType(), image);
        FetchedManifest chosen = top;
        ImageManifest manifest;
        Descriptor selected = parsed instanceof ImageIndex index ? PlatformMatcher.select(index, platform, image) : null;
        ImageRecord present = target.complete(selected != null ? selected.digest() : top.digest());
        if (present != null) {
            // the same manifest is stored with all its layers: only the names may be new (podman answers a warm pull so too)
            String name = nameFor(as);
            String digestName = as.repositoryName() + "@" + top.digest();
            // names are unique in the store, so a record that has both has nothing to gain from a rewrite (six fsyncs)
            boolean named = name != null && present.names().contains(name) && present.digests().contains(digestName);
            boolean quiet = options.quiet() || options.progress() == null;
            byte[][] stored = named && quiet ? null : target.stored(present.id());
            if (!quiet) {
                progress(new ImageProgressEvent.CopyStarted());
                if (ManifestParser.parse(stored[0], null, image) instanceof ImageManifest m) {
                    for (Descriptor layer : m.layers()) {
                        progress(new ImageProgressEvent.BlobSkipped(layer.digest(), false, null));
                    }
                }
                progress(new ImageProgressEvent.ConfigCopied(present.id(), false));
                progress(new ImageProgressEvent.WritingManifest());
            }
            if (named) {
                return present;
            }
            return target.putImage(present.id(), stored[0], stored[1], present.manifestDigest(), present.layers(), present.size(),
                    name, digestName);
        }
        if (selected != null) {
            Descriptor d = selected;
            chosen = client.manifest(d.digest());
            if (chosen.content().length != d.size()) {
                throw new ImageException("manifest " + d.digest() + " of " + image + ": the registry sent " + chosen.content().length
                        + " bytes, the index declares " + d.size());
            }
            Manifest inner = ManifestParser.parse(chosen.content(), d.mediaType() != null ? d.mediaType() : chosen.contentType(), image);
            if (!(inner instanceof ImageManifest im)) {
                throw new ImageException("image \"" + image + "\": the index entry for " + platform + " is itself an index; nested indexes are not supported");
            }
            manifest = im;
        } else {
            manifest = (ImageManifest) parsed;
        }

        Descriptor configDesc = manifest.config();
        if (!MediaTypes.isImageConfig(configDesc.mediaType())) {
            throw new ImageException("\"" + image + "\" is not a container image: its config has media type \"" + configDesc.mediaType() + "\"");
        }
        for (Descriptor layer : manifest.layers()) {
            LayerDecompressor.declared(layer.mediaType(), layer.digest()); // refuse zstd & co. before downloading anything
        }
        progress(new ImageProgressEvent.CopyStarted());

        byte[] configBytes = client.blob(configDesc.digest(), configDesc.size(), ManifestParser.MAX_DOCUMENT_BYTES);
        ImageConfig config = ManifestParser.parseConfig(configBytes, image);
        if (!(parsed instanceof ImageIndex)) {
            warnOnPlatformMismatch(config, platform);
        }
        List<String> diffIds = config.diffIds();
        List<Descriptor> layers = manifest.layers();
        if (diffIds.size() != layers.size()) {
            throw new ImageException("image \"" + image + "\" is corrupt: its manifest lists " + layers.size() + " layers but its config has "
                    + diffIds.size() + " diff_ids");
        }
        List<String> chainIds = new ArrayList<>(layers.size());
        String parent = null;
        for (String diffId : diffIds) {
            parent = target.chainId(parent, diffId);
            chainIds.add(parent);
        }

        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            if (target.layerExists(chainIds.get(i))) {
                progress(new ImageProgressEvent.BlobSkipped(layers.get(i).digest(), false, null));
            } else {
                missing.add(i);
            }
        }

        AtomicReferenceArray<StagedLayer> staged;
        AtomicReferenceArray<io.jpod.storage.BlobStore.Staged> blobs = new AtomicReferenceArray<>(layers.size());
        for (int i : missing) {
            progress(new ImageProgressEvent.BlobWaiting(layers.get(i).digest(), layers.get(i).size()));
        }
        staged = download(client, layers, diffIds, missing, blobs);
        try {
            for (int i = 0; i < layers.size(); i++) {
                StagedLayer s = staged.get(i);
                if (s != null) {
                    s.commit(chainIds.get(i), diffIds.get(i), i == 0 ? null : chainIds.get(i - 1));
                }
            }
            for (int i = 0; i < layers.size(); i++) {
                io.jpod.storage.BlobStore.Staged b = blobs.get(i);
                if (b != null) {
                    b.commit(layers.get(i).digest());
                }
            }
        } finally {
            closeAll(staged);
            closeBlobs(blobs);
        }
        progress(new ImageProgressEvent.ConfigCopied(configDesc.digest(), false));
        progress(new ImageProgressEvent.WritingManifest());

        String imageId = Digests.sha256(configBytes);
        long size = configDesc.size();
        for (Descriptor layer : layers) {
            size += layer.size();
        }
        String name = nameFor(as);
        String digestName = as.repositoryName() + "@" + top.digest();
        ImageRecord record = target.putImage(imageId, chosen.content(), configBytes, chosen.digest(), List.copyOf(chainIds), size, name,
                digestName);
        return record; // the caller prints the id where it belongs (stdout for `pull`, nowhere for `run`)
    }

    /** The tag name a pull gives its image: none when pulled by digest. */
    private static String nameFor(ImageReference as) {
        return as.tag() != null && as.digest() == null ? as.repositoryName() + ":" + as.tag() : null;
    }

    private void warnOnPlatformMismatch(ImageConfig config, Platform wanted) {
        if (config.os() == null || config.architecture() == null) {
            return;
        }
        Platform got = Platform.of(config.os(), config.architecture(), config.variant()).normalized();
        Platform w = wanted.normalized();
        if (!got.os().equals(w.os()) || !got.architecture().equals(w.architecture())) {
            progress(new ImageProgressEvent.Warning("WARNING: image platform (" + Platform.of(config.os(), config.architecture(), config.variant())
                    + ") does not match the expected platform (" + wanted + ")"));
        }
    }

    /** Downloads and stages the missing layers in parallel; on the first failure cancels the rest, discards everything staged and throws. */
    private AtomicReferenceArray<StagedLayer> download(RegistryClient client, List<Descriptor> layers, List<String> diffIds,
                                                       List<Integer> missing, AtomicReferenceArray<io.jpod.storage.BlobStore.Staged> blobs) {
        AtomicReferenceArray<StagedLayer> staged = new AtomicReferenceArray<>(layers.size());
        if (missing.isEmpty()) {
            return staged;
        }
        AtomicInteger threadNo = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(PARALLEL_LAYERS, missing.size()), r -> {
            Thread t = new Thread(r, "jpod-pull-" + threadNo.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        CompletionService<Integer> done = new ExecutorCompletionService<>(pool);
        // each staged layer is flushed to disk here while the next ones download (commit would otherwise do it, in turn)
        ExecutorService flusher = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "jpod-pull-flush");
            t.setDaemon(true);
            return t;
        });
        List<Future<Integer>> futures = new ArrayList<>();
        // largest first: the pull ends when its last layer does, so the long ones must not start last
        List<Integer> order = new ArrayList<>(missing);
        order.sort((a, b) -> Long.compare(layers.get(b).size(), layers.get(a).size()));
        for (int i : order) {
            futures.add(done.submit(() -> {
                Descriptor layer = layers.get(i);
                StagedLayer s = downloadLayer(client, layer, diffIds.get(i), blobs, i);
                staged.set(i, s);
                flusher.execute(s::makeDurable);
                progress(new ImageProgressEvent.BlobCopied(layer.digest(), layer.size(), false));
                return i;
            }));
        }
        RuntimeException failure = null;
        try {
            for (int k = 0; k < futures.size() && failure == null; k++) {
                try {
                    done.take().get();
                } catch (ExecutionException e) {
                    failure = asRuntime(e.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = new ImageException("pull interrupted");
        } finally {
            flusher.shutdown(); // what it has queued still runs; commit waits for a flush in progress
            if (failure != null) {
                pool.shutdownNow(); // interrupts the other downloads; their reads fail promptly
                try {
                    pool.awaitTermination(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                closeAll(staged);
                closeBlobs(blobs);
            } else {
                pool.shutdown();
            }
        }
        if (failure != null) {
            throw failure;
        }
        return staged;
    }

    /** Blob → verify (sha256, size) → decompress → stage; returns a staged layer whose diff id matched. */
    private StagedLayer downloadLayer(RegistryClient client, Descriptor layer, String diffId, AtomicReferenceArray<io.jpod.storage.BlobStore.Staged> blobs, int index) {
        String digest = layer.digest();
        io.jpod.storage.BlobStore.Staged blob = target.stageBlob(digest);
        InputStream raw = counted(client.openBlob(digest, layer.size()), digest, layer.size());
        if (blob != null) {
            raw = new TeeInputStream(raw, blob.out());
        }
        DigestVerifyingInputStream verified = new DigestVerifyingInputStream(raw, digest, layer.size());
        Recording below = new Recording(verified);
        // download and digest on one thread, inflate and unpack on this one: see ReadAheadInputStream
        ReadAheadInputStream ahead = new ReadAheadInputStream(below, Thread.currentThread().getName() + "-download");
        StagedLayer staged = null;
        try {
            Recording tar = new Recording(LayerDecompressor.open(ahead, layer.mediaType(), digest));
            try {
                staged = target.stage(tar);
            } catch (IOException | RuntimeException e) {
                throw explainStageFailure(e, below, tar, ahead, digest, client);
            }
            ahead.drain(); // the decompressor may stop before the end of the blob; the end is where it is verified
            if (!verified.verified()) {
                throw new IllegalStateException("blob " + digest + " ended unverified; this is a bug in jpod, please report it");
            }
            if (!staged.diffId().equals(diffId)) {
                throw new ImageException("layer " + digest + ": uncompressed content has digest " + staged.diffId()
                        + " but the image config lists " + diffId + "; the image is corrupt");
            }
            StagedLayer ok = staged;
            staged = null;
            blobs.set(index, blob); // committed with the layers, once every layer verified
            blob = null;
            return ok;
        } catch (IOException e) {
            ContentMismatchException cm = RegistryClient.cause(e, ContentMismatchException.class);
            if (cm != null) {
                throw new ImageException(cm.getMessage(), e);
            }
            throw client.mapIo(e, "downloading layer " + digest);
        } finally {
            if (staged != null) {
                staged.close();
            }
            ahead.close(); // the download thread stops before its streams are closed under it
            if (blob != null) {
                blob.close();
            }
            try {
                verified.close();
            } catch (IOException ignored) {
                // the connection is being discarded anyway
            }
        }
    }

    /**
     * The unpacker failed. Say why in the user's terms: corrupt download (digest mismatch) beats everything; a network
     * failure below the decompressor is a network error; a decompression/tar failure gets the rest of the blob drained
     * to tell corrupt transfer from a corrupt image; storage's own errors pass through.
     */
    private RuntimeException explainStageFailure(Exception e, Recording below, Recording tar, ReadAheadInputStream ahead,
                                                 String digest, RegistryClient client) {
        ContentMismatchException cm = RegistryClient.cause(e, ContentMismatchException.class);
        if (cm == null && below.failure instanceof ContentMismatchException c) {
            cm = c;
        }
        if (cm != null) {
            return new ImageException(cm.getMessage(), e);
        }
        ImageException ie = RegistryClient.cause(e, ImageException.class);
        if (ie != null) {
            return ie;
        }
        if (below.failure != null) {
            return client.mapIo(below.failure, "downloading layer " + digest);
        }
        boolean interrupted = Thread.currentThread().isInterrupted() || RegistryClient.cause(e, InterruptedIOException.class) != null;
        boolean diskProblem = RegistryClient.cause(e, FileSystemException.class) != null
                || String.valueOf(e.getMessage()).contains("No space left on device");
        if (!interrupted && !diskProblem) {
            try {
                ahead.drain();
            } catch (ContentMismatchException mismatch) {
                return new ImageException(mismatch.getMessage(), e);
            } catch (IOException ignored) {
                // keep the original explanation
            }
        }
        if (tar.failure != null) {
            // The decompressor failed on data that did hash correctly: the image itself is broken.
            return new ImageException("layer " + digest + ": invalid compressed data: " + ManifestParser.oneLine(tar.failure.getMessage())
                    + "; the image is corrupt", e);
        }
        if (e instanceof RuntimeException re) {
            return re;
        }
        return new ImageException("layer " + digest + ": " + ManifestParser.oneLine(String.valueOf(e.getMessage())), e);
    }

    private static RuntimeException asRuntime(Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        return new ImageException("pull failed: " + t, t);
    }

    private static void closeAll(AtomicReferenceArray<StagedLayer> staged) {
        for (int i = 0; i < staged.length(); i++) {
            StagedLayer s = staged.getAndSet(i, null);
            if (s != null) {
                try {
                    s.close();
                } catch (RuntimeException ignored) {
                    // discarding a staging dir must not mask the real failure; the store sweeps tmp on open
                }
            }
        }
    }

    private static void closeBlobs(AtomicReferenceArray<io.jpod.storage.BlobStore.Staged> blobs) {
        for (int i = 0; i < blobs.length(); i++) {
            io.jpod.storage.BlobStore.Staged b = blobs.getAndSet(i, null);
            if (b != null) {
                try {
                    b.close();
                } catch (RuntimeException ignored) {
                    // the store sweeps tmp on open
                }
            }
        }
    }

    private void progress(ImageProgressEvent event) {
        if (options.progress() != null && !options.quiet()) {
            options.progress().accept(event);
        }
    }

    /** The blob's bytes as they arrive: a {@link ImageProgressEvent.BlobProgress} now and then (not on every read). */
    private InputStream counted(InputStream in, String digest, long total) {
        if (options.progress() == null || options.quiet()) {
            return in;
        }
        progress(new ImageProgressEvent.BlobProgress(digest, 0, total));
        return new FilterInputStream(in) {
            private long done;
            private long reported = System.nanoTime();

            @Override
            public int read() throws IOException {
                int b = in.read();
                if (b >= 0) {
                    add(1);
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                if (n > 0) {
                    add(n);
                }
                return n;
            }

            private void add(int n) {
                done += n;
                long now = System.nanoTime();
                if (now - reported >= PROGRESS_NANOS) {
                    reported = now;
                    progress(new ImageProgressEvent.BlobProgress(digest, done, total));
                }
            }
        };
    }

    /** Remembers the first IOException that passed through, to tell which layer of the stream stack failed. */
    private static final class Recording extends FilterInputStream {
        volatile IOException failure;

        Recording(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (IOException e) {
                record(e);
                throw e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (IOException e) {
                record(e);
                throw e;
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                return in.skip(n);
            } catch (IOException e) {
                record(e);
                throw e;
            }
        }

        private void record(IOException e) {
            if (failure == null) {
                failure = e;
            }
        }
    }
}
