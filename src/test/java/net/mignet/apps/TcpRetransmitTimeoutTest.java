package net.mignet.apps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TcpRetransmitTimeoutTest {
    @Test
    void setOnAListenerItHoldsForTheConnectionsItAccepts() throws Exception {
        assumeTrue(kernelKnowsTheOption(), "this kernel has no TCP_RTO_MIN_US (Linux 6.15 and later)");
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (ServerSocket listener = new ServerSocket(0, 1, lo)) {
            TcpRetransmitTimeout.set(listener, Duration.ofMillis(5));
            try (Socket client = new Socket()) {
                client.connect(new InetSocketAddress(lo, listener.getLocalPort()), 1000);
                try (Socket accepted = listener.accept()) {
                    // The kernel keeps it in clock ticks (4 ms at HZ=250), so 5 ms may read back as up to 8 ms.
                    assertThat(TcpRetransmitTimeout.of(accepted)).isBetween(Duration.ofMillis(1),
                            Duration.ofMillis(20));
                    assertThat(TcpRetransmitTimeout.maxOf(accepted)).isEqualTo(TcpRetransmitTimeout.MAX);
                }
            }
        }
    }

    @Test
    void setBeforeConnectingItHoldsForTheConnectionThatSocketMakes() throws Exception {
        assumeTrue(kernelKnowsTheOption(), "this kernel has no TCP_RTO_MIN_US (Linux 6.15 and later)");
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (ServerSocket listener = new ServerSocket(0, 1, lo); Socket client = new Socket()) {
            TcpRetransmitTimeout.setBeforeConnect(client, Duration.ofMillis(5));
            client.connect(new InetSocketAddress(lo, listener.getLocalPort()), 1000);
            try (Socket accepted = listener.accept()) {
                assertThat(TcpRetransmitTimeout.of(client)).isBetween(Duration.ofMillis(1), Duration.ofMillis(20));
                assertThat(TcpRetransmitTimeout.maxOf(client)).isEqualTo(TcpRetransmitTimeout.MAX);
                assertThat(TcpRetransmitTimeout.of(accepted)).as("the other end keeps the kernel's")
                        .isGreaterThanOrEqualTo(Duration.ofMillis(100));
                assertThat(TcpRetransmitTimeout.maxOf(accepted)).as("the other end keeps the kernel's")
                        .isEqualTo(Duration.ofMinutes(2));
            }
        }
    }

    /** Older kernels answer ENOPROTOOPT (TCP_RTO_MAX_MS came with TCP_RTO_MIN_US, in 6.15). */
    private static boolean kernelKnowsTheOption() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            TcpRetransmitTimeout.set(s, Duration.ofMillis(200));
            return true;
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }
}
