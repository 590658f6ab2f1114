package net.mignet.net;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.mignet.kernel.Command;
import net.mignet.kernel.CommandResult;
import net.mignet.topo.Ipv4Address;
import net.mignet.topo.LinkEnd;

/** A running emulated host: a network namespace in which commands and apps run. */
public final class Host {
    private final String name;
    private final String namespace;
    private final List<LinkEnd> interfaces;
    private volatile HostCondition condition = HostCondition.UP;

    Host(String name, String namespace, List<LinkEnd> interfaces) {
        this.name = name;
        this.namespace = namespace;
        this.interfaces = List.copyOf(interfaces);
    }

    public String name() {
        return name;
    }

    /** The network namespace's name, as {@code ip netns} shows it. */
    public String namespace() {
        return namespace;
    }

    /** Up, frozen or crashed: see {@link Faults}. */
    public HostCondition condition() {
        return condition;
    }

    void condition(HostCondition now) {
        this.condition = now;
    }

    public List<LinkEnd> interfaces() {
        return interfaces;
    }

    /** The address of the host's first interface that has one, or null. */
    public Ipv4Address ip() {
        return interfaces.stream().filter(i -> i.ip() != null).map(i -> i.ip().address()).findFirst().orElse(null);
    }

    /** The argument vector that runs {@code argv} inside this host. */
    public List<String> wrap(List<String> argv) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("no command given to run on " + name);
        }
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(argv);
        return full;
    }

    /** A process builder whose process starts inside this host's namespace. */
    public ProcessBuilder processBuilder(List<String> argv) {
        return new ProcessBuilder(wrap(argv));
    }

    public CommandResult exec(String... argv) {
        return exec(List.of(argv), Command.DEFAULT_TIMEOUT);
    }

    /** Runs a command to completion inside this host; exit code 124 means it was killed at the timeout. */
    public CommandResult exec(List<String> argv, Duration timeout) {
        return Command.run(wrap(argv), null, timeout);
    }

    /** Pings {@code target} {@code count} times, 0.2 s apart, waiting up to 1 s for each reply. */
    public PingResult ping(String target, int count) {
        return ping(target, count, Duration.ofMillis(200));
    }

    public PingResult ping(String target, int count, Duration interval) {
        Ipv4Address.parse(target); // refuse anything that is not an address before it reaches a command line
        String seconds = String.format(java.util.Locale.ROOT, "%.3f", interval.toNanos() / 1e9);
        CommandResult r = exec(List.of("ping", "-n", "-c", Integer.toString(count), "-i", seconds, "-W", "1", target),
                Duration.ofSeconds(count * Math.max(1, interval.toSeconds() + 1) + 5));
        return PingResult.parse(r.stdout() + r.stderr());
    }

    /** A resolved neighbour (ARP entry) of one of this host's interfaces. */
    public record Neighbour(String ip, String mac) {
    }

    /** The neighbours this host has resolved on one interface (reachable, stale, delayed or permanent). */
    public List<Neighbour> neighbours(String interfaceName) {
        requireInterface(interfaceName);
        List<Neighbour> found = new ArrayList<>();
        String out = Command.check(List.of("ip", "-n", namespace, "-4", "neigh", "show", "dev", interfaceName))
                .stdout();
        for (String line : out.lines().toList()) {
            String[] w = line.trim().split("\\s+");
            int mac = List.of(w).indexOf("lladdr");
            if (mac > 0 && mac + 1 < w.length && !line.contains("FAILED") && !line.contains("INCOMPLETE")) {
                found.add(new Neighbour(w[0], w[mac + 1]));
            }
        }
        return found;
    }

    /**
     * Teaches this host neighbours learned elsewhere, as reachable entries: a service that moves here answers
     * its clients at once instead of asking for their MAC first (an ARP reply the switch may still send to
     * the old host).
     */
    public void learnNeighbours(String interfaceName, List<Neighbour> neighbours) {
        requireInterface(interfaceName);
        for (Neighbour n : neighbours) {
            Ipv4Address.parse(n.ip());
            net.mignet.topo.MacAddress.parse(n.mac());
            Command.check(List.of("ip", "-n", namespace, "neigh", "replace", n.ip(), "lladdr", n.mac(), "dev",
                    interfaceName, "nud", "reachable"));
        }
    }

    private void requireInterface(String interfaceName) {
        if (interfaces.stream().noneMatch(i -> i.interfaceName().equals(interfaceName))) {
            throw new IllegalArgumentException(name + " has no interface " + interfaceName + " (it has: "
                    + String.join(", ", interfaces.stream().map(LinkEnd::interfaceName).toList()) + ")");
        }
    }

    /** Byte and packet counters of one interface, as the kernel counts them. */
    public record InterfaceCounters(long rxBytes, long rxPackets, long txBytes, long txPackets) {
        public long bytes() {
            return rxBytes + txBytes;
        }
    }

    private static final java.util.regex.Pattern STATS = java.util.regex.Pattern.compile(
            "\"(rx|tx)\":\\{\"bytes\":(\\d+),\"packets\":(\\d+)");

    /** The counters of one of this host's interfaces (read from the kernel now). */
    public InterfaceCounters counters(String interfaceName) {
        requireInterface(interfaceName);
        String json = Command.check(List.of("ip", "-n", namespace, "-j", "-s", "link", "show", "dev", interfaceName))
                .stdout();
        long[] v = new long[4];
        java.util.regex.Matcher m = STATS.matcher(json);
        while (m.find()) {
            int base = m.group(1).equals("rx") ? 0 : 2;
            v[base] = Long.parseLong(m.group(2));
            v[base + 1] = Long.parseLong(m.group(3));
        }
        return new InterfaceCounters(v[0], v[1], v[2], v[3]);
    }

    /** Brings one of this host's interfaces up or down. */
    public void setInterfaceUp(String interfaceName, boolean up) {
        requireInterface(interfaceName);
        Command.check(List.of("ip", "-n", namespace, "link", "set", "dev", interfaceName, up ? "up" : "down"));
    }

    @Override
    public String toString() {
        return name;
    }
}
