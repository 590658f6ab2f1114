package net.mignet.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import net.mignet.testing.KernelAssumptions;
import net.mignet.testing.VethBetweenNamespaces;
import org.junit.jupiter.api.Test;

/** The frames waiting in a device's root qdisc, as a migration's drain reads them every millisecond. */
class RootQdiscLengthTest {

    @Test
    void counts_the_frames_a_slow_rate_limit_holds_and_none_where_a_device_has_no_queue() throws Exception {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("ip");
        KernelAssumptions.assumeTool("tc");
        try (VethBetweenNamespaces pair = VethBetweenNamespaces.create("qlen", "10.231.0")) {
            String left = pair.namespaceA();
            String right = pair.namespaceB();
            String qa = VethBetweenNamespaces.DEVICE_A;
            String qb = VethBetweenNamespaces.DEVICE_B;
            // 8 kbit/s: a 1000-byte frame leaves every second, so the others wait in the qdisc.
            Command.check(List.of("tc", "-n", left, "qdisc", "add", "dev", qa, "root", "tbf", "rate", "8kbit",
                    "burst", "1600", "limit", "100000"));
            try (RootQdiscLength limited = RootQdiscLength.open(left, qa);
                    RootQdiscLength plain = RootQdiscLength.open(right, qb)) {
                assertThat(limited.frames()).isZero();
                assertThat(plain.frames()).isZero();
                // ARP first, then the pings: all but the first few wait behind the rate limit.
                Command.run(List.of("ip", "netns", "exec", left, "ping", "-c", "8", "-i", "0.01", "-s", "1000",
                        "-W", "1", "-q", "10.231.0.2"), null, Duration.ofSeconds(20));
                assertThat(limited.frames()).isGreaterThan(0);
                assertThat(plain.frames()).isZero();
            }
        }
    }

    @Test
    void the_backlog_column_is_read_per_cpu_and_summed() {
        String stat = """
                0268849e 0004064c 00000006 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000002 00000000 00000000 00000002
                02608494 00062800 00000008 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000011 00000001 00000010 00000001
                """;
        assertThat(SoftnetBacklog.parse(stat)).hasValue(0x13);
        // Kernels before 6.1 print no backlog column: nothing can be said.
        assertThat(SoftnetBacklog.parse("0268849e 0004064c 00000006 00000000 00000000 00000000 00000000 00000000 00000000"
                + " 00000000 00000000\n")).isEmpty();
    }
}
