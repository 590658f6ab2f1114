package net.mignet.apps;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * A digest of the key-value content that does not depend on order: the sum of one 64-bit hash per entry over
 * its key, version and value. The service keeps it up to date on every write (subtract the old entry's hash,
 * add the new one's), so comparing two instances' content costs nothing at the freeze, and a test can compute
 * the expected digest from the initial content and the writes its client saw acknowledged.
 */
public final class KvDigest {
    private KvDigest() {
    }

    public static long of(String key, long version, byte[] value) {
        return of(key, version, MemorySegment.ofArray(value));
    }

    static long of(String key, long version, MemorySegment value) {
        CRC32C crc = new CRC32C();
        crc.update(key.getBytes(StandardCharsets.UTF_8));
        long k = crc.getValue();
        crc.reset();
        crc.update(value.asByteBuffer());
        long v = crc.getValue();
        return mix((k << 32 | v) ^ mix(version + 0x9E3779B97F4A7C15L)) ^ value.byteSize();
    }

    /** SplitMix64's finalizer: spreads every input bit over the whole word. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
