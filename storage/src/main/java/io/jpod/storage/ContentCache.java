package io.jpod.storage;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Values computed from a file's bytes (a parsed record, what `images` takes from an image config), kept per key and
 * handed out again only for exactly the bytes they were computed from. The per-user service answers the same reads
 * over and over (an `inspect` read its container's record four times, `images` every image record twice) and the
 * parse, not the read, was most of a warm request.
 *
 * <p>Why validated by content rather than by mtime or a generation counter: the caller reads the (small) file anyway,
 * and comparing those bytes with the cached ones is exact whoever wrote the file and however (another request,
 * a direct CLI process, an older jpod, a process killed mid-write, a hand edit). File timestamps are only as fine
 * as the kernel's tick and inode numbers are reused, so a (mtime, size, inode) key can miss a rewrite; a counter
 * would be right only if every writer, present and past, bumped it. Nothing here can serve stale data: a value is
 * returned only with the bytes it came from.
 *
 * <p>Values are shared by concurrent requests, so they must be immutable. The content array is kept as given: the
 * caller must not change it afterwards. Bounded by the bytes kept (least recently used first out).
 */
public final class ContentCache<V> {
    private record Entry<V>(byte[] content, V value) {
    }

    private final long maxBytes;
    private final LinkedHashMap<Object, Entry<V>> entries = new LinkedHashMap<>(64, 0.75f, true);
    private long bytes;

    /** @param maxBytes how many bytes of content (and so, roughly, of values) to keep at most */
    public ContentCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * The value for {@code content} under {@code key}: the one computed before if the content is byte for byte the
     * same, else {@code compute}'s (kept unless null; an exception from it keeps nothing and passes through).
     */
    public V get(Object key, byte[] content, Function<byte[], V> compute) {
        Entry<V> e;
        synchronized (this) {
            e = entries.get(key);
        }
        if (e != null && Arrays.equals(e.content, content)) {
            return e.value;
        }
        V value = compute.apply(content); // outside the lock: requests parse different files at once
        if (value != null) {
            put(key, new Entry<>(content, value));
        } else if (e != null) {
            forget(key);
        }
        return value;
    }

    /** Drops what is kept under {@code key} (its file is gone). */
    public synchronized void forget(Object key) {
        Entry<V> old = entries.remove(key);
        if (old != null) {
            bytes -= old.content.length;
        }
    }

    /** How many values are kept (for tests). */
    synchronized int size() {
        return entries.size();
    }

    private synchronized void put(Object key, Entry<V> entry) {
        if (entry.content.length > maxBytes / 4) {
            forget(key); // one huge file would push out everything else
            return;
        }
        Entry<V> old = entries.put(key, entry);
        bytes += entry.content.length - (old == null ? 0 : old.content.length);
        for (Iterator<Map.Entry<Object, Entry<V>>> it = entries.entrySet().iterator(); bytes > maxBytes && it.hasNext(); ) {
            Map.Entry<Object, Entry<V>> eldest = it.next();
            bytes -= eldest.getValue().content.length;
            it.remove();
        }
    }
}
