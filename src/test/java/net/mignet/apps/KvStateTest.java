package net.mignet.apps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The key-value service's content, its wire batches, requests and records, without a network. */
class KvStateTest {

    @Test
    void the_digest_follows_every_write_and_equals_that_of_the_same_content_built_otherwise() {
        KvStore a = KvStore.generate(4096, 16);
        byte[] v = "hello".getBytes(StandardCharsets.ISO_8859_1);
        long put = a.put("k3", v, 0, v.length);
        long del = a.delete("k5");
        assertThat(put).isEqualTo(1);
        assertThat(del).isEqualTo(2);
        assertThat(a.delete("nothing")).isEqualTo(-1);
        KvStore b = new KvStore();
        for (int i = 0; i < 16; i++) {
            if (i != 3 && i != 5) {
                b.install(KvStore.key(i), 0, KvStore.initialValue(i, 256));
            }
        }
        assertThat(b.digest()).isNotEqualTo(a.digest());
        b.install("k3", 1, v);
        assertThat(b.digest()).isEqualTo(a.digest());
        assertThat(b.size()).isEqualTo(15);
    }

    @Test
    void a_batch_carries_values_and_deletions_to_another_store() throws IOException {
        KvStore from = KvStore.generate(64 << 10, 64);
        from.delete("k7");
        KvBatch batch = new KvBatch();
        for (int i = 0; i < 64; i++) {
            KvStore.Entry e = from.entry(KvStore.key(i));
            batch.add(KvStore.key(i), e == null ? from.version() : e.version(), e == null ? null : e.value());
        }
        KvStore to = KvStore.generate(64 << 10, 64); // k7 still there: the batch must delete it
        KvBatch.forEach(Arrays.copyOf(batch.bytes(), batch.length()), batch.count(), to::install);
        assertThat(to.digest()).isEqualTo(from.digest());
        assertThat(to.get("k7")).isNull();
        assertThatThrownBy(() -> KvBatch.forEach(Arrays.copyOf(batch.bytes(), batch.length() - 3), batch.count(),
                to::install)).isInstanceOf(IOException.class);
    }

    @Test
    void pre_copy_tracks_the_keys_written_since_the_last_round() {
        KvStore s = KvStore.generate(1024, 8);
        s.trackChanges();
        byte[] v = {'x'};
        s.put("k1", v, 0, 1);
        s.delete("k2");
        assertThat(s.takeChanges()).containsExactlyInAnyOrder("k1", "k2");
        assertThat(s.takeChanges()).isEmpty();
    }

    @Test
    void post_copy_keeps_what_the_destination_wrote_over_what_the_source_pushes() {
        KvStore s = new KvStore();
        s.keepTombstones(true);
        byte[] mine = {'m'};
        s.put("k1", mine, 0, 1);
        s.installIfUnresolved("k9", 0, null, 0, -1); // fetched: the source has no k9
        assertThat(s.installIfUnresolved("k1", 0, new byte[] {'o'}, 0, 1)).isFalse();
        assertThat(s.installIfUnresolved("k9", 0, new byte[] {'o'}, 0, 1)).isFalse();
        assertThat(s.installIfUnresolved("k2", 0, new byte[] {'o'}, 0, 1)).isTrue();
        assertThat(KvValues.toArray(s.get("k1").value())).containsExactly('m');
        assertThat(s.get("k9")).isNull();
        s.keepTombstones(false);
        assertThat(s.resolved("k9")).isFalse();
        assertThat(s.size()).isEqualTo(2);
    }

    @Test
    void the_reply_cache_answers_retried_writes_and_drops_stale_ones_and_travels() throws IOException {
        KvReplyCache c = new KvReplyCache();
        for (int seq = 1; seq <= KvReplyCache.WINDOW + 10; seq++) {
            c.remember("c1", seq, "c1 " + seq + " ok " + seq);
        }
        assertThat(c.lookup("c1", KvReplyCache.WINDOW + 5)).isEqualTo("c1 " + (KvReplyCache.WINDOW + 5) + " ok "
                + (KvReplyCache.WINDOW + 5));
        assertThat(c.lookup("c1", 3)).isEqualTo(KvReplyCache.STALE);
        assertThat(c.lookup("c1", KvReplyCache.WINDOW + 11)).isNull();
        assertThat(c.lookup("c2", 1)).isNull();
        KvReplyCache copy = KvReplyCache.decode(c.encode());
        assertThat(copy.lookup("c1", KvReplyCache.WINDOW + 5)).isEqualTo(c.lookup("c1", KvReplyCache.WINDOW + 5));
    }

    @Test
    void the_reply_cache_travels_compactly_and_exactly_whatever_its_replies_look_like() throws IOException {
        KvReplyCache c = new KvReplyCache();
        List<String> odd = List.of("c1 %d ok 007", "c1 %d ok -3", "c1 %d error busy", "c1 %d ok", "c1 %d ok 12 x",
                "c9 %d ok 5", "c1 %d missing 99999999999999999999", "c1 %d ok 1234567890123456789");
        for (int seq = 1; seq <= KvReplyCache.WINDOW; seq++) {
            // versions that go up and down (deltas of both signs), sequence numbers with gaps, and a few replies
            // that are not a write's usual reply and must come back literally
            long version = 1_000_000 + (seq % 3 == 0 ? -seq : 5L * seq);
            String reply = seq % 50 == 0 ? odd.get(seq / 50 % odd.size()).formatted(3 * seq)
                    : "c1 " + 3 * seq + (seq % 7 == 0 ? " missing " : " ok ") + version;
            c.remember("c1", 3 * seq, reply);
        }
        c.remember("other-client", 1, "other-client 1 ok 0");
        byte[] encoded = c.encode();
        assertThat(encoded.length).as("bytes for %d replies", KvReplyCache.WINDOW + 1).isLessThan(4000);
        KvReplyCache copy = KvReplyCache.decode(encoded);
        for (int seq = 1; seq <= KvReplyCache.WINDOW; seq++) {
            assertThat(copy.lookup("c1", 3 * seq)).isEqualTo(c.lookup("c1", 3 * seq)).isNotNull();
        }
        assertThat(copy.lookup("other-client", 1)).isEqualTo("other-client 1 ok 0");
        assertThat(copy.encode()).isEqualTo(encoded);
    }

    @Test
    void batches_grow_then_shrink_over_the_last_quarter_megabyte_of_a_content_of_known_size() {
        long content = 1 << 20;
        List<Integer> sizes = new java.util.ArrayList<>();
        long sent = 0;
        for (int limit = 16 << 10; sent < content; ) {
            int batch = (int) Math.min(limit, content - sent);
            sizes.add(batch);
            sent += batch;
            limit = KvSource.nextBatchBytes(limit, content - sent);
        }
        assertThat(sizes.subList(0, 5)).containsExactly(16 << 10, 32 << 10, 64 << 10, 128 << 10, 256 << 10);
        assertThat(sizes).allMatch(b -> b <= KvBatch.TARGET_BYTES);
        assertThat(sizes.getLast()).isLessThanOrEqualTo(16 << 10);
        assertThat(sizes.size()).isLessThan(15);
        // unknown size (pre-copy's rounds): they only grow
        assertThat(KvSource.nextBatchBytes(128 << 10, -1)).isEqualTo(256 << 10);
        assertThat(KvSource.nextBatchBytes(256 << 10, -1)).isEqualTo(256 << 10);
    }

    @Test
    void the_receiving_rehearsal_leaves_nothing_behind_and_can_run_again() throws IOException {
        KvReceiveRehearsal rehearsal = new KvReceiveRehearsal();
        for (int i = 0; i < 3; i++) {
            KvStore scratch = rehearsal.run();
            assertThat(scratch.size()).isZero();
            assertThat(scratch.valueBytes()).isZero();
            assertThat(scratch.digest()).isZero();
        }
    }

    @Test
    void requests_replies_records_and_sizes_parse_back() {
        byte[] raw = "c1 7 put k3 abc".getBytes(StandardCharsets.ISO_8859_1);
        KvProtocol.Request q = KvProtocol.parseRequest(raw, raw.length);
        assertThat(q).isEqualTo(new KvProtocol.Request("c1", 7, KvProtocol.Op.PUT, "k3", "abc"));
        assertThat(q.encode()).isEqualTo("c1 7 put k3 abc");
        for (String bad : new String[] {"c1 7 put k3", "c1 x get k3", "c1 7 frob k3", "c 1", "c1 7 get k3 extra"}) {
            byte[] b = bad.getBytes(StandardCharsets.ISO_8859_1);
            assertThat(KvProtocol.parseRequest(b, b.length)).as(bad).isNull();
        }
        assertThat(KvProtocol.parseReply("c1 7 ok 12 abc")).isEqualTo(new KvProtocol.Reply("c1", 7, "ok", 12, "abc"));
        assertThat(KvProtocol.parseReply("c1 8 missing 12").result()).isEqualTo("missing");
        KvRequestRecord r = new KvRequestRecord("c1", 7, KvProtocol.Op.DELETE, "k3", 100, 200, "ok", 12, 1);
        assertThat(r.toCsv()).isEqualTo("c1,7,delete,k3,100,200,ok,12,1");
        assertThat(KvRequestRecord.parse(r.toCsv())).isEqualTo(r);
        KvRequestRecord lost = new KvRequestRecord("c1", 8, KvProtocol.Op.GET, "k3", 100, -1, "lost", -1, 30);
        assertThat(KvRequestRecord.parse(lost.toCsv())).isEqualTo(lost);
        assertThat(KvRequestRecord.parse(KvRequestRecord.HEADER)).isNull();
        assertThat(KvSize.parse("64MB")).isEqualTo(64L << 20);
        assertThat(KvSize.parse("1 KB")).isEqualTo(1024);
        assertThat(KvSize.parse("1GiB")).isEqualTo(1L << 30);
        assertThatThrownBy(() -> KvSize.parse("lots")).hasMessageContaining("not a size");
        assertThat(KvMix.parse("get=1,put=0").pick(new java.util.SplittableRandom(1))).isEqualTo(KvProtocol.Op.GET);
    }
}
