package net.mignet.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** iperf3 3.12's client output, as it printed it on this machine, read into what each end counted. */
class IperfTest {
    private static final String TCP = """
            Connecting to host 10.9.0.2, port 5301
            [  5] local 10.9.0.1 port 37406 connected to 10.9.0.2 port 5301
            [ ID] Interval           Transfer     Bitrate         Retr  Cwnd
            [  5]   0.00-1.00   sec  1.90 GBytes  16.3 Gbits/sec  5074    447 KBytes      \s
            - - - - - - - - - - - - - - - - - - - - - - - - -
            [ ID] Interval           Transfer     Bitrate         Retr
            [  5]   0.00-1.00   sec  1.90 GBytes  16.3 Gbits/sec  5074             sender
            [  5]   0.00-1.00   sec  1.90 GBytes  16.1 Gbits/sec                  receiver

            iperf Done.
            """;
    private static final String UDP = """
            Connecting to host 10.9.0.2, port 5301
            [  5] local 10.9.0.1 port 39210 connected to 10.9.0.2 port 5301
            [ ID] Interval           Transfer     Bitrate         Total Datagrams
            [  5]   0.00-1.00   sec   611 KBytes  5.00 Mbits/sec  432 \s
            - - - - - - - - - - - - - - - - - - - - - - - - -
            [ ID] Interval           Transfer     Bitrate         Jitter    Lost/Total Datagrams
            [  5]   0.00-1.00   sec   611 KBytes  5.00 Mbits/sec  0.000 ms  0/432 (0%)  sender
            [  5]   0.00-1.00   sec   597 KBytes  4.89 Mbits/sec  0.060 ms  10/432 (2.3%)  receiver

            iperf Done.
            """;

    @Test
    void tcp_gives_both_ends_rates_and_no_datagram_figures() {
        Iperf.Result r = Iperf.parse(TCP);
        assertThat(r.sent()).isEqualTo("16.3 Gbits/sec");
        assertThat(r.received()).isEqualTo("16.1 Gbits/sec");
        assertThat(r.datagrams()).isEqualTo(-1);
    }

    @Test
    void udp_gives_the_receivers_loss_and_jitter() {
        Iperf.Result r = Iperf.parse(UDP);
        assertThat(r.sent()).isEqualTo("5.00 Mbits/sec");
        assertThat(r.received()).isEqualTo("4.89 Mbits/sec");
        assertThat(r.lost()).isEqualTo(10);
        assertThat(r.datagrams()).isEqualTo(432);
        assertThat(r.jitterMillis()).isEqualTo(0.060);
    }

    @Test
    void output_without_a_summary_is_an_error_quoting_its_last_line() {
        assertThatThrownBy(() -> Iperf.parse("iperf3: error - unable to connect to server: Connection refused\n"))
                .hasMessageContaining("unable to connect");
    }
}
