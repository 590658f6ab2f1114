package net.mignet.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.mignet.apps.KvProtocol.Op;
import net.mignet.apps.KvRequestRecord;
import org.junit.jupiter.api.Test;

class KvClientCheckTest {
    private static KvRequestRecord r(long seq, Op op, String key, long sent, long replied, String result,
            long version) {
        return new KvRequestRecord("c", seq, op, key, sent, replied, result, version, 0);
    }

    @Test
    void consistent_records_pass() {
        assertThat(KvClientCheck.problems("load", List.of(
                r(1, Op.PUT, "k1", 10, 20, "ok", 5),
                r(2, Op.GET, "k1", 30, 40, "ok", 5),
                r(3, Op.PUT, "k2", 35, 45, "ok", 6),
                // Sent before the write to k2 was acknowledged: may see the older version.
                r(4, Op.GET, "k2", 41, 50, "ok", 2),
                r(5, Op.DELETE, "k1", 60, 70, "ok", 7)))).isEmpty();
    }

    @Test
    void lost_requests_doubled_versions_and_stale_reads_are_named() {
        List<String> problems = KvClientCheck.problems("load", List.of(
                r(1, Op.PUT, "k1", 10, 20, "ok", 5),
                r(2, Op.PUT, "k2", 15, 25, "ok", 5),
                r(3, Op.GET, "k1", 30, 40, "ok", 3),
                r(4, Op.GET, "k1", 50, KvRequestRecord.NONE, "lost", KvRequestRecord.NONE)));
        assertThat(problems).containsExactly(
                "load: 1 of 4 requests lost",
                "load: requests 1 and 2 were both acknowledged as version 5",
                "load: get k1 (request 3) answered version 3 after version 5 had been acknowledged");
    }

    @Test
    void a_client_that_recorded_nothing_fails() {
        assertThat(KvClientCheck.problems("load", List.of())).containsExactly("load: recorded no request");
    }
}
