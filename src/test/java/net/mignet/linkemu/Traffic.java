package net.mignet.linkemu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Selector;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.mignet.kernel.NamespaceThread;
import net.mignet.net.Emulation;
import net.mignet.net.Host;

/** Test traffic between emulated hosts: sequence-numbered UDP, and iperf3 runs. */
public final class Traffic {
    private Traffic() {
    }

    /** A UDP socket opened inside a host's namespace (it stays bound there, whatever thread uses it). */
    public static DatagramChannel udp(Emulation net, String host, InetSocketAddress bind) {
        return NamespaceThread.call(net.host(host).namespace(), () -> {
            try {
                DatagramChannel ch = DatagramChannel.open();
                ch.setOption(StandardSocketOptions.SO_RCVBUF, 8 << 20);
                ch.setOption(StandardSocketOptions.SO_SNDBUF, 8 << 20);
                return ch.bind(bind);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * Sends {@code count} datagrams numbered 0.. of {@code size} bytes from {@code from} to {@code to}, pausing
     * {@code pauseMicros} after each batch of 10 (so no socket buffer on the way overflows), and returns the
     * numbers received in arrival order, waiting until {@code quietMillis} pass without a datagram.
     */
    static List<Integer> sendNumbered(DatagramChannel from, DatagramChannel to, InetSocketAddress target, int count,
            int size, long pauseMicros, long quietMillis) throws IOException, InterruptedException {
        List<Integer> received = new ArrayList<>();
        Thread receiver = Thread.ofPlatform().start(() -> {
            try (Selector selector = Selector.open()) {
                to.configureBlocking(false);
                to.register(selector, SelectionKey.OP_READ);
                ByteBuffer buf = ByteBuffer.allocate(65536);
                while (selector.select(quietMillis) > 0) {
                    selector.selectedKeys().clear();
                    buf.clear();
                    while (to.receive(buf) != null) {
                        buf.flip();
                        synchronized (received) {
                            received.add(buf.getInt());
                        }
                        buf.clear();
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        ByteBuffer out = ByteBuffer.allocate(size);
        for (int i = 0; i < count; i++) {
            out.clear();
            out.putInt(i);
            out.position(size);
            out.flip();
            from.send(out, target);
            if (i % 10 == 9 && pauseMicros > 0) {
                long until = System.nanoTime() + pauseMicros * 1000;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            }
        }
        receiver.join();
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    private static final Pattern RECEIVER_BPS = Pattern.compile(
            "\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.eE+]+)", Pattern.DOTALL);

    /** Runs an iperf3 TCP test of {@code seconds} from client to server; returns the receiver's bit/s. */
    static double iperfTcp(Host server, Host client, String serverIp, int seconds, String... extra)
            throws IOException, InterruptedException {
        Process srv = server.processBuilder(List.of("iperf3", "-s", "-1", "-p", "5299")).redirectErrorStream(true)
                .start();
        try {
            List<String> argv = new ArrayList<>(List.of("iperf3", "-c", serverIp, "-p", "5299", "-J", "-t",
                    Integer.toString(seconds)));
            argv.addAll(List.of(extra));
            // iperf3's server needs a moment to listen; retry the connection instead of sleeping a guess.
            for (int attempt = 0; ; attempt++) {
                var r = client.exec(argv, java.time.Duration.ofSeconds(seconds + 20L));
                Matcher m = RECEIVER_BPS.matcher(r.stdout());
                if (r.ok() && m.find()) {
                    return Double.parseDouble(m.group(1));
                }
                if (attempt == 20 || !r.stdout().contains("connect")) {
                    throw new IllegalStateException("iperf3 failed: " + r.stdout() + r.stderr());
                }
                Thread.sleep(50);
            }
        } finally {
            srv.destroy();
            srv.waitFor();
        }
    }
}
