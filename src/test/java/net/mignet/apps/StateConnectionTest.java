package net.mignet.apps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How a successor reaches its old instance's state port, and how the old instance greets it; on loopback. */
class StateConnectionTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void a_refused_successor_retries_until_the_old_instance_listens() throws Exception {
        int port = freePort();
        CompletableFuture<String> result = CompletableFuture.supplyAsync(() -> {
            try {
                return OldInstanceConnector.connect(new InetSocketAddress(LOOPBACK, port), Duration.ofSeconds(20),
                        s -> { }, s -> {
                            try (s) {
                                return "connected to " + s.getPort();
                            }
                        }, s -> { });
            } catch (IOException | InterruptedException e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(100); // refused meanwhile
        try (ServerSocket server = new ServerSocket(port, 50, LOOPBACK)) {
            assertThat(result.get(20, TimeUnit.SECONDS)).isEqualTo("connected to " + port);
        }
    }

    @Test
    void an_attempt_whose_syn_goes_unanswered_gives_way_to_a_fresh_one() throws Exception {
        // A listener whose accept queue is full drops SYNs, as a lossy link would.
        try (ServerSocket server = new ServerSocket(0, 1, LOOPBACK)) {
            List<Socket> queued = new ArrayList<>();
            try {
                // Linux queues backlog + 1 connections; a SYN after those goes unanswered.
                boolean full = false;
                while (!full) {
                    Socket s = new Socket();
                    try {
                        s.connect(server.getLocalSocketAddress(), 300);
                        queued.add(s);
                    } catch (IOException e) {
                        s.close();
                        full = true;
                    }
                }
                List<Socket> attempts = new CopyOnWriteArrayList<>();
                CountDownLatch secondAttempt = new CountDownLatch(1);
                CompletableFuture<Integer> result = CompletableFuture.supplyAsync(() -> {
                    try {
                        return OldInstanceConnector.connect((InetSocketAddress) server.getLocalSocketAddress(),
                                Duration.ofSeconds(20), s -> { }, s -> {
                                    s.close();
                                    return attempts.size();
                                }, s -> {
                                    if (s != null && attempts.add(s) && attempts.size() == 2) {
                                        secondAttempt.countDown();
                                    }
                                });
                    } catch (IOException | InterruptedException e) {
                        throw new RuntimeException(e);
                    }
                });
                assertThat(secondAttempt.await(20, TimeUnit.SECONDS)).as("a second attempt").isTrue();
                for (int i = 0; i < queued.size(); i++) {
                    server.accept().close(); // room in the queue again
                }
                assertThat(result.get(20, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(2);
            } finally {
                for (Socket s : queued) {
                    s.close();
                }
            }
        }
    }

    @Test
    void a_greeting_that_fails_counts_as_a_failed_attempt_and_the_next_connection_is_greeted() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    server.accept().close(); // the first connection ends before any answer
                    try (Socket second = server.accept()) {
                        second.getOutputStream().write('N');
                        second.getInputStream().read(); // until the successor closes
                    }
                } catch (IOException e) {
                    // the test fails on its own
                }
            });
            List<Socket> attempts = new CopyOnWriteArrayList<>();
            int answer = OldInstanceConnector.connect((InetSocketAddress) server.getLocalSocketAddress(),
                    Duration.ofSeconds(20), s -> { }, s -> {
                        int b = s.getInputStream().read();
                        if (b < 0) {
                            throw new IOException("closed before the welcome");
                        }
                        s.close();
                        return b;
                    }, s -> {
                        if (s != null) {
                            attempts.add(s);
                        }
                    });
            assertThat((char) answer).isEqualTo('N');
            assertThat(attempts).hasSize(2);
        }
    }

    @Test
    @Timeout(10) // without its own timeout the wait would never end
    void a_hello_left_unanswered_fails_after_the_time_given_so_that_a_fresh_connection_can_be_tried() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK);
                KvStateLink link = new KvStateLink(new Socket(LOOPBACK, server.getLocalPort()));
                Socket silent = server.accept()) {
            link.hello(KvStateLink.HELLO_BULK);
            long start = System.nanoTime();
            assertThatThrownBy(() -> link.awaitWelcome(300)).isInstanceOf(java.net.SocketTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(250),
                    Duration.ofSeconds(5));
            assertThat(silent.getInputStream().read()).as("the hello arrived").isPositive();
        }
    }

    @Test
    void without_an_old_instance_it_gives_up_after_the_time_given_and_says_where_it_looked() {
        int port = freePort();
        assertThatThrownBy(() -> OldInstanceConnector.connect(new InetSocketAddress(LOOPBACK, port),
                Duration.ofMillis(300), s -> { }, s -> s, s -> { }))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no old instance at " + LOOPBACK.getHostAddress() + ":" + port);
    }

    @Test
    void a_failing_setup_ends_the_attempts_at_once() {
        int port = freePort();
        assertThatThrownBy(() -> OldInstanceConnector.connect(new InetSocketAddress(LOOPBACK, port),
                Duration.ofSeconds(20), s -> {
                    throw new IOException("shut down");
                }, s -> s, s -> { })).isInstanceOf(IOException.class).hasMessage("shut down");
    }

    @Test
    void a_connection_that_never_says_hello_does_not_keep_a_successor_waiting() throws Exception {
        ByteArrayOutputStream events = new ByteArrayOutputStream();
        try (DatagramSocket udp = new DatagramSocket(0, LOOPBACK);
                PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
                PrintStream eventStream = new PrintStream(events, true, StandardCharsets.UTF_8)) {
            KvService service = new KvService(udp, new InetSocketAddress(LOOPBACK, udp.getLocalPort()), out,
                    eventStream);
            service.store = new KvStore();
            new KvSource.Listener(service, 30_000, Duration.ZERO).listen(new InetSocketAddress(LOOPBACK, 0));
            InetSocketAddress statePort = new InetSocketAddress(LOOPBACK, service.stateServer.getLocalPort());
            try (Socket silent = new Socket(LOOPBACK, statePort.getPort());
                    KvStateLink bulk = greeted(statePort, KvStateLink.HELLO_BULK);
                    KvStateLink fast = greeted(statePort, KvStateLink.HELLO_FAST)) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!events.toString(StandardCharsets.UTF_8).contains("successor-connected")
                        && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(events.toString(StandardCharsets.UTF_8)).contains("event=successor-connected");
                assertThat(silent.isClosed()).isFalse();
            } finally {
                service.stateServer.close();
            }
        }
    }

    @Test
    @Timeout(20)
    void a_counter_service_shut_down_closes_connections_still_waiting_for_their_hello() throws Exception {
        try (DatagramSocket udp = new DatagramSocket(0, LOOPBACK);
                PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)) {
            CounterService service = new CounterService(udp, 30_000, Duration.ZERO, quiet, quiet);
            InetSocketAddress handover = service.acceptSuccessors(new InetSocketAddress(LOOPBACK, 0));
            try (Socket silent = new Socket(LOOPBACK, handover.getPort())) {
                silent.setSoTimeout(10_000);
                awaitAccepted(handover);
                long t0 = System.nanoTime();
                service.shutDown();
                // The old instance waits 30 s for a hello; shut down, it must not.
                assertThat(silent.getInputStream().read()).isEqualTo(-1);
                assertThat((System.nanoTime() - t0) / 1e9).isLessThan(5.0);
            }
        }
    }

    /** Waits until the listener has taken the connection off its backlog (its socket shows in ss as ESTAB). */
    private static void awaitAccepted(InetSocketAddress listener) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            // The listening socket's Recv-Q is its backlog: 0 once accept() took the connection.
            String ss = new String(new ProcessBuilder("ss", "-Hltn", "sport", "= :" + listener.getPort()).start()
                    .getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (ss.startsWith("LISTEN 0 ")) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("the connection was never accepted");
    }

    @Test
    @Timeout(30)
    void a_fast_link_left_unanswered_makes_the_successor_open_both_links_again() throws Exception {
        try (ServerSocket old = new ServerSocket(0, 50, LOOPBACK);
                DatagramSocket udp = new DatagramSocket(0, LOOPBACK);
                PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)) {
            List<String> seen = new CopyOnWriteArrayList<>();
            List<Socket> kept = new CopyOnWriteArrayList<>();
            CompletableFuture<Integer> firstBulkAfterStartOver = new CompletableFuture<>();
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    Socket bulk1 = answered(old.accept(), seen);
                    Socket fast1 = old.accept();
                    seen.add(String.valueOf((char) fast1.getInputStream().read()));
                    fast1.close(); // as an old instance that has no bulk link waiting any more
                    kept.add(answered(old.accept(), seen));
                    kept.add(answered(old.accept(), seen));
                    bulk1.setSoTimeout(5_000);
                    try {
                        firstBulkAfterStartOver.complete(bulk1.getInputStream().read());
                    } catch (IOException e) {
                        firstBulkAfterStartOver.complete(-2); // reset
                    }
                } catch (IOException e) {
                    firstBulkAfterStartOver.completeExceptionally(e);
                }
            });
            KvService service = new KvService(udp, new InetSocketAddress(LOOPBACK, udp.getLocalPort()), out, out);
            KvSuccessor successor = new KvSuccessor(service, (InetSocketAddress) old.getLocalSocketAddress(),
                    Duration.ZERO);
            successor.connectLinks();
            assertThat(seen).containsExactly("H", "L", "H", "L");
            assertThat(firstBulkAfterStartOver.get(10, TimeUnit.SECONDS)).as("the first bulk link was given up")
                    .isNegative();
            for (Socket s : kept) {
                s.close();
            }
        }
    }

    /** The old instance's side of a link: reads the hello and answers it. */
    private static Socket answered(Socket accepted, List<String> seen) throws IOException {
        seen.add(String.valueOf((char) accepted.getInputStream().read()));
        accepted.getOutputStream().write('N');
        return accepted;
    }

    /** A successor's link: hello, then the old instance's welcome, which must come within 5 s (not 30). */
    private static KvStateLink greeted(InetSocketAddress statePort, byte kind) throws IOException {
        KvStateLink link = new KvStateLink(new Socket(statePort.getAddress(), statePort.getPort()));
        link.hello(kind);
        link.awaitWelcome(5_000);
        return link;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
