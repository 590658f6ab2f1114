package net.mignet.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.mignet.net.Emulation;
import net.mignet.net.Host;
import net.mignet.net.Iperf;

/** The shell's throughput verbs, named and shaped as Mininet's: {@code iperf} (TCP) and {@code iperfudp}. */
final class TrafficCommands {
    private static final Duration DEFAULT_LENGTH = Duration.ofSeconds(5);
    private static final Duration LONGEST = Duration.ofSeconds(60);
    private final Emulation net;

    TrafficCommands(Emulation net) {
        this.net = net;
    }

    void registerAll(Shell shell) {
        shell.register(new ShellCommand("iperf", "iperf [<client> <server>] [<seconds>]", "TCP throughput from"
                + " client to server with iperf3 (default: the first and the last host, 5 s), as each end counted it;"
                + " Ctrl-C ends it", (a, out) -> measure(a, null, out)).withCtrlC(ShellCommand.CtrlC.INTERRUPTS));
        shell.register(new ShellCommand("iperfudp", "iperfudp <bandwidth> [<client> <server>] [<seconds>]",
                "UDP at bandwidth (bits/s, e.g. 10M) from client to server with iperf3: rates, loss and jitter",
                (a, out) -> {
                    if (a.isEmpty()) {
                        throw new IllegalArgumentException("usage: iperfudp <bandwidth> [<client> <server>]"
                                + " [<seconds>], e.g. iperfudp 10M h1 h2");
                    }
                    measure(a.subList(1, a.size()), a.getFirst(), out);
                }).withCtrlC(ShellCommand.CtrlC.INTERRUPTS));
    }

    private void measure(List<String> args, String udpBandwidth, PrintStream out) throws InterruptedException {
        List<String> words = new ArrayList<>(args);
        Duration length = DEFAULT_LENGTH;
        if (!words.isEmpty() && words.getLast().matches("[0-9]+s?")) {
            String word = words.removeLast();
            length = Duration.ofSeconds(Long.parseLong(word.replace("s", "")));
            if (length.compareTo(Duration.ofSeconds(1)) < 0 || length.compareTo(LONGEST) > 0) {
                throw new IllegalArgumentException("a measurement lasts 1 to " + LONGEST.toSeconds() + " s; got "
                        + word);
            }
        }
        Host client;
        Host server;
        if (words.isEmpty()) {
            List<Host> hosts = net.hosts().stream().filter(h -> h.ip() != null).toList();
            if (hosts.size() < 2) {
                throw new IllegalArgumentException("iperf needs two hosts with addresses; name them");
            }
            client = hosts.getFirst();
            server = hosts.getLast();
        } else if (words.size() == 2) {
            client = net.host(words.get(0));
            server = net.host(words.get(1));
        } else {
            throw new IllegalArgumentException("name two hosts, the client and the server, or none; got "
                    + String.join(" ", words));
        }
        if (client == server) {
            throw new IllegalArgumentException("iperf needs two different hosts; got " + client.name() + " twice");
        }
        out.println("*** Iperf: testing " + (udpBandwidth == null ? "TCP" : "UDP at " + udpBandwidth)
                + " bandwidth from " + client.name() + " to " + server.name() + " for " + length.toSeconds() + " s");
        out.flush();
        Iperf.Result r;
        try {
            r = udpBandwidth == null ? Iperf.tcp(client, server, length)
                    : Iperf.udp(client, server, udpBandwidth, length);
        } catch (InterruptedException | RuntimeException e) {
            // iperf3 prints its summary only at the end: a measurement cut short has none to show.
            if (e instanceof InterruptedException || Thread.currentThread().isInterrupted()) {
                out.println("*** iperf interrupted by Ctrl-C: nothing measured");
                return;
            }
            throw e;
        }
        out.println("*** Results: " + r.describe(client, server));
    }
}
