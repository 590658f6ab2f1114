package net.mignet.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** Lines of {@code /proc/net/udp} and {@code tcp6} as a little-endian kernel prints them. */
class ProcessSocketsTest {
    private static final String REST = " 00000000:00000000 00:00000000 00000000     0        0 4242 2 0000000000000000 0";

    private static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    @Test
    void a_udp_socket_bound_to_the_service_address_serves_it_and_no_other() throws Exception {
        ProcessSockets.Socket s = ProcessSockets.parse("udp", "  12: 0C00000A:22B8 00000000:0000 07" + REST);
        assertThat(s.localAddress()).isEqualTo(ip("10.0.0.12"));
        assertThat(s.localPort()).isEqualTo(8888);
        assertThat(s.connected()).isFalse();
        assertThat(s.inode()).isEqualTo(4242);
        assertThat(s.serves(ip("10.0.0.12"))).isTrue();
        assertThat(s.serves(ip("10.0.0.2"))).isFalse();
    }

    @Test
    void a_socket_bound_to_all_addresses_serves_each_but_a_connected_one_serves_none() throws Exception {
        ProcessSockets.Socket any = ProcessSockets.parse("udp", "  3: 00000000:1F90 00000000:0000 07" + REST);
        assertThat(any.serves(ip("10.0.0.12"))).isTrue();
        ProcessSockets.Socket client = ProcessSockets.parse("udp", "  4: 0100000A:9C40 0C00000A:22B8 01" + REST);
        assertThat(client.connected()).isTrue();
        assertThat(client.serves(ip("10.0.0.1"))).isFalse();
    }

    @Test
    void tcp_serves_only_while_listening_and_ipv6_sockets_serve_ipv4_addresses_they_cover() throws Exception {
        ProcessSockets.Socket listening = ProcessSockets.parse("tcp",
                "  0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A" + REST);
        assertThat(listening.localAddress().isAnyLocalAddress()).isTrue();
        assertThat(listening.serves(ip("10.0.0.12"))).isTrue();
        ProcessSockets.Socket mapped = ProcessSockets.parse("tcp",
                "  1: 0000000000000000FFFF00000C00000A:1F90 00000000000000000000000000000000:0000 0A" + REST);
        assertThat(mapped.localAddress()).isEqualTo(ip("10.0.0.12"));
        assertThat(mapped.serves(ip("10.0.0.12"))).isTrue();
        ProcessSockets.Socket established = ProcessSockets.parse("tcp",
                "  2: 0C00000A:1F90 0100000A:D431 01" + REST);
        assertThat(established.serves(ip("10.0.0.12"))).isFalse();
    }

    @Test
    void the_header_line_is_no_socket() {
        assertThat(ProcessSockets.parse("udp", "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when"
                + " retrnsmt   uid  timeout inode ref pointer drops")).isNull();
    }
}
