package io.jpod.image;

import io.jpod.storage.ImageRecord;
import io.jpod.storage.StagedLayer;
import io.jpod.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** An in-memory stand-in for the store (test only): checks the tar is readable, hashes it, keeps what was committed. */
final class ScratchTarget implements PullTarget {
    final Set<String> committed = ConcurrentHashMap.newKeySet();
    final Map<String, List<String>> entriesByChainId = new ConcurrentHashMap<>();
    final Map<String, ImageRecord> images = new ConcurrentHashMap<>();
    final AtomicInteger openStaged = new AtomicInteger();
    final AtomicInteger staged = new AtomicInteger();
    final AtomicInteger puts = new AtomicInteger();

    @Override
    public boolean layerExists(String chainId) {
        return committed.contains(chainId);
    }

    @Override
    public StagedLayer stage(InputStream uncompressedTar) throws IOException {
        MessageDigest sha = Digests.newSha256();
        CountingDigestStream in = new CountingDigestStream(uncompressedTar, sha);
        List<String> entries = new ArrayList<>();
        TarArchiveInputStream tar = new TarArchiveInputStream(in);
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
            entries.add(e.getName());
        }
        in.transferTo(java.io.OutputStream.nullOutputStream()); // like the real unpacker: read to EOF
        String diffId = Digests.format(sha);
        long size = in.count;
        openStaged.incrementAndGet();
        staged.incrementAndGet();
        return new StagedLayer() {
            boolean done;

            @Override
            public String diffId() {
                return diffId;
            }

            @Override
            public long size() {
                return size;
            }

            @Override
            public void makeDurable() {
                // nothing on disk
            }

            @Override
            public void commit(String chainId, String expectedDiffId, String parentChainId) {
                if (!diffId.equals(expectedDiffId)) {
                    throw new StorageException("layer has diff id " + diffId + ", expected " + expectedDiffId);
                }
                if (parentChainId != null && !committed.contains(parentChainId)) {
                    throw new StorageException("parent " + parentChainId + " missing");
                }
                committed.add(chainId);
                entriesByChainId.put(chainId, entries);
                close();
            }

            @Override
            public void close() {
                if (!done) {
                    done = true;
                    openStaged.decrementAndGet();
                }
            }
        };
    }

    @Override
    public String chainId(String parentChainId, String diffId) {
        return parentChainId == null ? diffId : Digests.sha256((parentChainId + " " + diffId).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public ImageRecord putImage(String imageId, byte[] manifest, byte[] config, String manifestDigest, List<String> layerChainIds,
                                long size, String name, String digestName) {
        puts.incrementAndGet();
        for (String c : layerChainIds) {
            if (!committed.contains(c)) {
                throw new StorageException("layer " + c + " missing");
            }
        }
        if (!Digests.sha256(manifest).equals(manifestDigest) || !Digests.sha256(config).equals(imageId)) {
            throw new StorageException("bad digests");
        }
        ImageRecord r = new ImageRecord(imageId, name == null ? List.of() : List.of(name), digestName == null ? List.of() : List.of(digestName),
                manifestDigest, layerChainIds, size, Instant.now());
        images.put(imageId, r);
        return r;
    }

    private static final class CountingDigestStream extends DigestInputStream {
        long count;

        CountingDigestStream(InputStream in, MessageDigest d) {
            super(in, d);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
