package net.mignet.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import net.mignet.apps.CounterService;
import net.mignet.testing.KernelAssumptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The two implementations of the handover protocol speak the same bytes: the built-in Java counter service hands
 * its state to the Python example service, which hands it back to a Java instance, on loopback (no namespaces,
 * no root). The handover is driven as mignet drives it: {@code --state-from}, then {@code handover} on the old
 * instance's input, watching the event lines.
 */
class HandoverInteropTest {
    private static final InetAddress LO = InetAddress.getLoopbackAddress();
    private final List<Instance> started = new ArrayList<>();
    private DatagramSocket client;
    private long seq;

    record Instance(Process process, BlockingQueue<String> events, int udpPort) {
        void command(String line) throws IOException {
            process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().flush();
        }

        String await(String event) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                String line = events.poll(100, TimeUnit.MILLISECONDS);
                if (line != null && (line.equals("@mignet event=" + event)
                        || line.startsWith("@mignet event=" + event + " "))) {
                    return line;
                }
                if (line == null && !process.isAlive()) {
                    throw new AssertionError("exited (" + process.exitValue() + ") before event " + event);
                }
            }
            throw new AssertionError("no event " + event + " within 20 s");
        }
    }

    @AfterEach
    void stopAll() {
        started.forEach(i -> i.process().destroyForcibly());
        if (client != null) {
            client.close();
        }
    }

    @Test
    void java_hands_over_to_python_and_python_back_to_java() throws Exception {
        KernelAssumptions.assumeTool("python3");
        client = new DatagramSocket(new InetSocketAddress(LO, 0));
        client.setSoTimeout(5000);
        int handoverPort = freeTcpPort();
        Instance current = start(true, handoverPort, null);
        current.await("serving");
        List<Long> counters = new ArrayList<>();
        ask(current, 3, counters);
        for (boolean java : List.of(false, true)) {
            int nextPort = freeTcpPort();
            Instance next = start(java, nextPort, handoverPort);
            next.await("awaiting-state");
            current.await("successor-connected");
            current.command("handover");
            assertThat(next.await("state-received")).contains("counter=" + counters.getLast());
            assertThat(current.await("handed-over")).contains("counter=" + counters.getLast());
            ask(next, 3, counters);
            current.process().destroy(); // SIGTERM: the old instance closes the channel in order and exits
            assertThat(current.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
            current = next;
            handoverPort = nextPort;
        }
        assertThat(counters).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    }

    private Instance start(boolean java, int handoverPort, Integer stateFrom) throws IOException {
        int udpPort;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(LO, 0))) {
            udpPort = probe.getLocalPort();
        }
        List<String> argv = new ArrayList<>();
        if (java) {
            argv.addAll(List.of(ProcessHandle.current().info().command().orElse("java"),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    CounterService.class.getName()));
        } else {
            argv.addAll(List.of("python3", Path.of("examples/python/counter_service.py").toAbsolutePath().toString()));
        }
        argv.addAll(List.of("--listen", "127.0.0.1:" + udpPort, "--handover-port", String.valueOf(handoverPort)));
        if (stateFrom != null) {
            argv.addAll(List.of("--state-from", "127.0.0.1:" + stateFrom));
        }
        Process p = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    events.add(line);
                }
            } catch (IOException e) {
                // the process is gone
            }
        });
        Instance instance = new Instance(p, events, udpPort);
        started.add(instance);
        return instance;
    }

    private void ask(Instance instance, int n, List<Long> into) throws IOException {
        byte[] buffer = new byte[512];
        for (int i = 0; i < n; i++) {
            seq++;
            byte[] request = ("Show me the counter, please! [interop:" + seq + "]").getBytes(StandardCharsets.UTF_8);
            client.send(new DatagramPacket(request, request.length, new InetSocketAddress(LO, instance.udpPort())));
            DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
            client.receive(reply);
            String text = new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8);
            assertThat(text).endsWith(" [interop:" + seq + "]");
            into.add(Long.parseLong(text.substring(0, text.indexOf(' '))));
        }
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, LO)) {
            return s.getLocalPort();
        }
    }
}
