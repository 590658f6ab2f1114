package net.mignet.apps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TcpRtoMinTest {
    @Test
    void setOnAListenerItHoldsForTheConnectionsItAccepts() throws Exception {
        assumeTrue(kernelKnowsTheOption(), "this kernel has no TCP_RTO_MIN_US (Linux 6.15 and later)");
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (ServerSocket listener = new ServerSocket(0, 1, lo)) {
            TcpRtoMin.set(listener, Duration.ofMillis(5));
            try (Socket client = new Socket()) {
                client.connect(new InetSocketAddress(lo, listener.getLocalPort()), 1000);
                try (Socket accepted = listener.accept()) {
                    // The kernel keeps it in clock ticks (4 ms at HZ=250), so 5 ms may read back as up to 8 ms.
                    assertThat(TcpRtoMin.of(accepted)).isBetween(Duration.ofMillis(1), Duration.ofMillis(20));
                }
            }
        }
    }

    @Test
    void setBeforeConnectingItHoldsForTheConnectionThatSocketMakes() throws Exception {
        assumeTrue(kernelKnowsTheOption(), "this kernel has no TCP_RTO_MIN_US (Linux 6.15 and later)");
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (ServerSocket listener = new ServerSocket(0, 1, lo); Socket client = new Socket()) {
            TcpRtoMin.setBeforeConnect(client, Duration.ofMillis(5));
            client.connect(new InetSocketAddress(lo, listener.getLocalPort()), 1000);
            try (Socket accepted = listener.accept()) {
                assertThat(TcpRtoMin.of(client)).isBetween(Duration.ofMillis(1), Duration.ofMillis(20));
                assertThat(TcpRtoMin.of(accepted)).as("the other end keeps the kernel's")
                        .isGreaterThanOrEqualTo(Duration.ofMillis(100));
            }
        }
    }

    /** Older kernels answer ENOPROTOOPT. */
    private static boolean kernelKnowsTheOption() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            TcpRtoMin.set(s, Duration.ofMillis(200));
            return true;
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }
}
