package net.mignet.apps;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The warm-up runs the service's real handover on loopback, so it also tests it without any namespace. */
class CounterServiceWarmUpTest {
    @Test
    void counterGoesOnAcrossHandoversWithForwardedRequests() throws Exception {
        List<Long> counters = CounterServiceWarmUp.handOverOnLoopback(3);

        // 3 requests to the first instance, then per handover 3 forwarded by the old one and 3 to the new one.
        assertThat(counters).containsExactlyElementsOf(LongStream.rangeClosed(1, 3 + 3 * 6).boxed().toList());
    }
}
