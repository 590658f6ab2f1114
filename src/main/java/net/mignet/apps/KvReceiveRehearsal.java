package net.mignet.apps;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The successor's receiving code, run once on throwaway data when the old instance announces a stop-and-copy
 * freeze ({@link KvStateLink.Prepare}): a batch of one entry installed into a store of its own and removed
 * again, a reply cache decoded, the digest read. The successor runs the real code once per migration, after
 * seconds of waiting, and on this machine's virtual CPUs that code and its data are then out of the caches and
 * the processor's page tables: installing one kilobyte and decoding the reply cache took 0.3-0.4 ms, against
 * 0.1-0.2 ms right after a run, all of it while the service is paused. The rehearsal runs before the freeze.
 */
final class KvReceiveRehearsal {
    private static final int VALUE_BYTES = 1024;
    private static final int CACHED_REPLIES = 256;
    private static final String KEY = "rehearsal";

    private final byte[] batch;
    private final int batchLength;
    private final byte[] replyCache;

    KvReceiveRehearsal() {
        KvBatch b = new KvBatch();
        MemorySegment value = KvValues.copyOf(new byte[VALUE_BYTES], 0, VALUE_BYTES);
        try {
            b.add(KEY, 1, value);
        } finally {
            KvValues.free(value);
        }
        batch = Arrays.copyOf(b.bytes(), b.length());
        batchLength = b.length();
        KvReplyCache cache = new KvReplyCache();
        for (int i = 0; i < CACHED_REPLIES; i++) {
            cache.remember(KEY, i, KEY + " " + i + " ok " + (1000 + i));
        }
        replyCache = cache.encode();
    }

    /** Runs it; returns the scratch store, empty again (its one value freed). */
    KvStore run() throws IOException {
        KvStore scratch = new KvStore();
        KvBatch.forEach(batch, batchLength, 1, scratch);
        KvReplyCache.decode(replyCache);
        scratch.digest();
        scratch.install(KEY, 2, null, 0, -1); // removes it, freeing its native value
        return scratch;
    }
}
