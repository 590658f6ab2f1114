package net.mignet.testing;

import java.util.List;
import net.mignet.kernel.Command;

/**
 * Two network namespaces of a test's own, joined by a veth pair with an address on each end ({@code <subnet>.1/24}
 * on {@code va}, {@code <subnet>.2/24} on {@code vb}), both up; closing removes the namespaces and the pair with them.
 */
public record VethBetweenNamespaces(String namespaceA, String namespaceB) implements AutoCloseable {
    public static final String DEVICE_A = "va";
    public static final String DEVICE_B = "vb";

    /** @param name  part of the namespaces' names, with this process's pid, so parallel runs do not meet
     *  @param subnet the first three octets, e.g. {@code 10.231.0} */
    public static VethBetweenNamespaces create(String name, String subnet) {
        String suffix = Long.toString(ProcessHandle.current().pid(), 36) + "-"
                + Long.toString(System.nanoTime() % 100000, 36);
        VethBetweenNamespaces pair = new VethBetweenNamespaces("mignet-test-" + name + "-a-" + suffix,
                "mignet-test-" + name + "-b-" + suffix);
        try {
            Command.check(List.of("ip", "netns", "add", pair.namespaceA));
            Command.check(List.of("ip", "netns", "add", pair.namespaceB));
            Command.check(List.of("ip", "-n", pair.namespaceA, "link", "add", DEVICE_A, "type", "veth", "peer",
                    "name", DEVICE_B, "netns", pair.namespaceB));
            Command.check(List.of("ip", "-n", pair.namespaceA, "addr", "add", subnet + ".1/24", "dev", DEVICE_A));
            Command.check(List.of("ip", "-n", pair.namespaceB, "addr", "add", subnet + ".2/24", "dev", DEVICE_B));
            Command.check(List.of("ip", "-n", pair.namespaceA, "link", "set", DEVICE_A, "up"));
            Command.check(List.of("ip", "-n", pair.namespaceB, "link", "set", DEVICE_B, "up"));
            return pair;
        } catch (RuntimeException e) {
            pair.close();
            throw e;
        }
    }

    @Override
    public void close() {
        Command.run(List.of("ip", "netns", "del", namespaceA));
        Command.run(List.of("ip", "netns", "del", namespaceB));
    }
}
