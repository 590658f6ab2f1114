package net.mignet.net;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.mignet.kernel.CommandResult;
import net.mignet.kernel.ProcessSockets;

/**
 * A throughput measurement between two hosts with iperf3, as Mininet's {@code iperf} and {@code iperfudp} make one:
 * a one-off server on one host, a client on the other, and what each end counted.
 */
public final class Iperf {
    static final int FIRST_PORT = 5201;
    private static final int PORTS_TRIED = 10;
    private static final Duration SERVER_START = Duration.ofSeconds(5);
    private static final Duration SLACK = Duration.ofSeconds(15);
    private static final Pattern SUMMARY = Pattern.compile(
            "\\]\\s+\\S+\\s+sec\\s+\\S+ \\S?Bytes\\s+([0-9.]+ \\S?bits/sec)(.*?)\\s+(sender|receiver)\\s*$",
            Pattern.MULTILINE);
    private static final Pattern UDP_LOSS = Pattern.compile("([0-9.]+) ms\\s+(\\d+)/(\\d+)");

    private Iperf() {
    }

    /**
     * What the two ends counted, each as iperf3 prints a rate (e.g. {@code 9.41 Gbits/sec}); for UDP the receiver's
     * jitter and lost/sent datagrams, else -1.
     */
    public record Result(String sent, String received, double jitterMillis, long lost, long datagrams) {
        public String describe(Host client, Host server) {
            String rates = client.name() + " sent " + sent + ", " + server.name() + " received " + received;
            if (datagrams < 0) {
                return rates;
            }
            return rates + String.format(Locale.ROOT, ", lost %d/%d datagrams (%.2g%%), jitter %.3f ms", lost,
                    datagrams, datagrams == 0 ? 0.0 : 100.0 * lost / datagrams, jitterMillis);
        }
    }

    /** TCP from {@code client} to {@code server} for {@code length}. */
    public static Result tcp(Host client, Host server, Duration length) throws InterruptedException {
        return run(client, server, length, List.of());
    }

    /** UDP from {@code client} to {@code server} at {@code bandwidth} (iperf3's -b: 10M, 1G, ...) for {@code length}. */
    public static Result udp(Host client, Host server, String bandwidth, Duration length) throws InterruptedException {
        if (!bandwidth.matches("[0-9]+(\\.[0-9]+)?[kKmMgG]?")) {
            throw new IllegalArgumentException("bandwidth '" + bandwidth + "': a number of bits per second with an"
                    + " optional K, M or G, e.g. 10M");
        }
        return run(client, server, length, List.of("-u", "-b", bandwidth));
    }

    private static Result run(Host client, Host server, Duration length, List<String> clientOptions)
            throws InterruptedException {
        if (server.ip() == null) {
            throw new IllegalArgumentException(server.name() + " has no address to measure to");
        }
        if (client == server) {
            throw new IllegalArgumentException("iperf needs two different hosts");
        }
        try (Server s = Server.start(server)) {
            List<String> argv = new ArrayList<>(List.of("iperf3", "-c", server.ip().toString(), "-p",
                    Integer.toString(s.port), "-t", Long.toString(Math.max(1, length.toSeconds()))));
            argv.addAll(clientOptions);
            CommandResult c = client.exec(argv, length.plus(SLACK));
            if (c.exitCode() != 0) {
                throw new IllegalStateException("iperf3 on " + client.name() + " failed (exit " + c.exitCode() + "): "
                        + lastLine(c.stdout() + "\n" + c.stderr()));
            }
            return parse(c.stdout());
        }
    }

    static Result parse(String clientOutput) {
        String sent = null;
        String received = null;
        double jitter = -1;
        long lost = -1;
        long datagrams = -1;
        Matcher m = SUMMARY.matcher(clientOutput);
        while (m.find()) {
            if (m.group(3).equals("sender")) {
                sent = m.group(1);
            } else {
                received = m.group(1);
                Matcher loss = UDP_LOSS.matcher(m.group(2));
                if (loss.find()) {
                    jitter = Double.parseDouble(loss.group(1));
                    lost = Long.parseLong(loss.group(2));
                    datagrams = Long.parseLong(loss.group(3));
                }
            }
        }
        if (sent == null || received == null) {
            throw new IllegalStateException("no sender and receiver summary in iperf3's output: "
                    + lastLine(clientOutput));
        }
        return new Result(sent, received, jitter, lost, datagrams);
    }

    private static String lastLine(String text) {
        List<String> lines = text.strip().lines().filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? "(no output)" : lines.getLast();
    }

    /** A one-off iperf3 server, listening on the first free port from {@link #FIRST_PORT}. */
    private static final class Server implements AutoCloseable {
        private final Process process;
        private final int port;

        private Server(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        static Server start(Host host) throws InterruptedException {
            String lastError = "";
            for (int port = FIRST_PORT; port < FIRST_PORT + PORTS_TRIED; port++) {
                Process p;
                try {
                    p = host.processBuilder(List.of("iperf3", "-s", "-1", "-p", Integer.toString(port)))
                            .redirectErrorStream(true).start();
                } catch (IOException e) {
                    throw new IllegalStateException("cannot start iperf3 on " + host.name() + ": " + e.getMessage(), e);
                }
                CompletableFuture<String> output = drain(p.getInputStream());
                Server server = new Server(p, port);
                long deadline = System.nanoTime() + SERVER_START.toNanos();
                try {
                    while (p.isAlive() && !ProcessSockets.bound(p.pid(), "tcp", port)
                            && System.nanoTime() < deadline) {
                        Thread.sleep(10); // polled: iperf3 says nothing it has flushed before its first client
                    }
                } catch (InterruptedException e) {
                    server.end();
                    throw e;
                }
                if (p.isAlive() && ProcessSockets.bound(p.pid(), "tcp", port)) {
                    return server;
                }
                server.end();
                p.waitFor(2, TimeUnit.SECONDS);
                lastError = lastLine(output.completeOnTimeout("", 1, TimeUnit.SECONDS).join());
                if (!lastError.contains("in use")) {
                    break;
                }
            }
            throw new IllegalStateException("iperf3 did not start listening on " + host.name() + ": " + lastError
                    + (lastError.contains("No such file") || lastError.contains("not found")
                            ? " (install iperf3 in the host's image: packages: [iperf3])" : ""));
        }

        private static CompletableFuture<String> drain(InputStream in) {
            CompletableFuture<String> text = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (in) {
                    text.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    text.complete("");
                }
            });
            return text;
        }

        /** Ends the server unless it ended after its client; keeps this thread's interrupt (a Ctrl-C). */
        @Override
        public void close() {
            boolean interrupted = Thread.interrupted();
            try {
                // A one-off server ends after its client; one whose client never came or was cut short is ended.
                if (interrupted || !process.waitFor(2, TimeUnit.SECONDS)) {
                    end();
                }
            } catch (InterruptedException e) {
                interrupted = true;
                end();
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private void end() {
            // Its children too: entering a host with an image forks (nsenter into its PID namespace).
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
