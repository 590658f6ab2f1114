package net.mignet.apps;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The key-value service's content: keys to values with the version of their last write, a version counter that
 * every put or delete advances, and the running {@link KvDigest}. Not thread-safe: the service guards it with
 * its lock. For pre-copy it can remember the keys written since a point ({@link #trackChanges}); for post-copy
 * the destination keeps tombstones, so that a key it deleted is not brought back by the source's push.
 */
public final class KvStore implements KvBatch.Visitor {
    /** A value and the version that wrote it; a null value is a tombstone. */
    record Entry(MemorySegment value, long version) {
        long bytes() {
            return value == null ? 0 : value.byteSize();
        }
    }

    private final Map<String, Entry> entries = new HashMap<>();
    private long version;
    private long digest;
    private long valueBytes;
    /** Entries with a value (tombstones not counted). */
    private int live;
    private Set<String> changed;
    private boolean keepTombstones;

    /** Initial key {@code i}. */
    public static String key(long i) {
        return "k" + i;
    }

    /** The initial value of key {@code i}: letters, so that a get's reply stays printable. */
    public static byte[] initialValue(long i, int length) {
        byte[] v = new byte[length];
        for (int j = 0; j < length; j++) {
            v[j] = (byte) ('a' + (i + j) % 26);
        }
        return v;
    }

    /** {@code keys} keys sharing {@code bytes} of values, all at version 0. */
    static KvStore generate(long bytes, int keys) {
        KvStore s = new KvStore();
        int length = (int) Math.max(1, bytes / keys);
        for (int i = 0; i < keys; i++) {
            s.install(key(i), 0, initialValue(i, length));
        }
        return s;
    }

    Entry get(String key) {
        Entry e = entries.get(key);
        return e == null || e.value() == null ? null : e;
    }

    /** Whether the key is known here, as a value or a tombstone. */
    boolean resolved(String key) {
        return entries.containsKey(key);
    }

    long put(String key, byte[] value, int offset, int length) {
        set(key, new Entry(KvValues.copyOf(value, offset, length), ++version));
        return version;
    }

    /** Deletes the key; returns the version of the delete, or -1 when there was nothing to delete. */
    long delete(String key) {
        if (get(key) == null) {
            return -1;
        }
        if (keepTombstones) {
            set(key, new Entry(null, ++version));
        } else {
            remove(key);
            ++version;
        }
        return version;
    }

    /** An entry as the source sent it, replacing what is here (pre-copy: a later round's entry is newer). */
    void install(String key, long entryVersion, byte[] value) {
        install(key, entryVersion, value, 0, value == null ? -1 : value.length);
    }

    /** The same from a slice of an array; {@code length} -1: the key has no value. */
    void install(String key, long entryVersion, byte[] data, int offset, int length) {
        if (length < 0 && !keepTombstones) {
            remove(key);
        } else {
            set(key, new Entry(length < 0 ? null : KvValues.copyOf(data, offset, length), entryVersion));
        }
        version = Math.max(version, entryVersion);
    }

    /** A received entry, installed (see {@link #install(String, long, byte[], int, int)}). */
    @Override
    public void entry(String key, long entryVersion, byte[] data, int offset, int length) {
        install(key, entryVersion, data, offset, length);
    }

    /** Post-copy: an entry from the source, unless this instance already knows the key (it wrote it since). */
    boolean installIfUnresolved(String key, long entryVersion, byte[] data, int offset, int length) {
        if (entries.containsKey(key)) {
            return false;
        }
        set(key, new Entry(length < 0 ? null : KvValues.copyOf(data, offset, length), entryVersion));
        return true;
    }

    void keepTombstones(boolean keep) {
        keepTombstones = keep;
        if (!keep) {
            entries.entrySet().removeIf(e -> e.getValue().value() == null);
        }
    }

    private void set(String key, Entry e) {
        Entry old = entries.put(key, e);
        forget(key, old);
        if (e.value() != null) {
            digest += KvDigest.of(key, e.version(), e.value());
            valueBytes += e.bytes();
            live++;
        }
        if (changed != null) {
            changed.add(key);
        }
    }

    private void remove(String key) {
        forget(key, entries.remove(key));
        if (changed != null) {
            changed.add(key);
        }
    }

    private void forget(String key, Entry old) {
        if (old != null && old.value() != null) {
            digest -= KvDigest.of(key, old.version(), old.value());
            valueBytes -= old.bytes();
            live--;
            KvValues.free(old.value());
        }
    }

    /** From now on remember the keys written; {@link #takeChanges} returns them and starts afresh. */
    void trackChanges() {
        changed = new HashSet<>();
    }

    Set<String> takeChanges() {
        Set<String> c = changed;
        changed = new HashSet<>();
        return c;
    }

    void stopTracking() {
        changed = null;
    }

    /** The bytes the entries of these keys would take on the state link, roughly. */
    long bytesOf(Set<String> keys) {
        long sum = 0;
        for (String k : keys) {
            Entry e = entries.get(k);
            sum += k.length() + 16 + (e == null ? 0 : e.bytes());
        }
        return sum;
    }

    List<String> keys() {
        return new ArrayList<>(entries.keySet());
    }

    /** At most {@code n} keys, the first ones {@link #keys} would list. */
    List<String> firstKeys(int n) {
        List<String> first = new ArrayList<>(Math.min(n, entries.size()));
        for (String key : entries.keySet()) {
            if (first.size() >= n) {
                break;
            }
            first.add(key);
        }
        return first;
    }

    /**
     * Adds the entries of the next {@code keys} to {@code batch} until it holds {@code limit} bytes or the keys run
     * out; a key no longer here goes as a deletion at the current version. Called once per batch: the warm-up runs
     * it until compiled (see {@link KvWarmUp}), and the work per entry is a method of its own, compiled soon anyway.
     * Interpreted, the loop's body cost a microsecond per entry, in the freeze.
     */
    void addEntries(Iterator<String> keys, KvBatch batch, int limit) {
        while (keys.hasNext() && batch.length() < limit) {
            addEntry(keys.next(), batch);
        }
    }

    private void addEntry(String key, KvBatch batch) {
        Entry e = entries.get(key);
        batch.add(key, e == null ? version : e.version(), e == null ? null : e.value());
    }

    /** The raw entry, tombstones included, or null. */
    Entry entry(String key) {
        return entries.get(key);
    }

    long version() {
        return version;
    }

    void version(long v) {
        version = Math.max(version, v);
    }

    long digest() {
        return digest;
    }

    long valueBytes() {
        return valueBytes;
    }

    /** The keys with a value. */
    int size() {
        return live;
    }
}
