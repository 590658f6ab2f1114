package net.mignet.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Network sysctls of the calling thread's namespace: {@code /proc/sys/net} shows the namespace of the task
 * that opens it, so this is used from {@link NamespaceThread}.
 */
final class Sysctl {
    private static final Path IPV6_CONF = Path.of("/proc/sys/net/ipv6/conf");
    /** br_netfilter's switches, present while it is loaded (built in, or the module Docker and Kubernetes load). */
    private static final Path BRIDGE_NF = Path.of("/proc/sys/net/bridge");

    private Sysctl() {
    }

    private static final Path PROC_SYS = Path.of("/proc/sys");

    /**
     * Writes a sysctl given in sysctl(8)'s dotted form ({@code net.ipv4.conf.all.arp_ignore}); the key is
     * validated by the topology ({@code HostSysctls}), so it cannot leave {@code /proc/sys/net}.
     */
    static void set(String key, String value) {
        Path file = PROC_SYS.resolve(key.replace('.', '/'));
        if (!file.normalize().startsWith(PROC_SYS.resolve("net")) || !Files.isRegularFile(file)) {
            throw new IllegalArgumentException("sysctl " + key + " does not exist in a network namespace ("
                    + file + " is missing); check its name with 'sysctl -a | grep net.' on this machine");
        }
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            throw new IllegalArgumentException("the kernel refused sysctl " + key + " = " + value + " ("
                    + e.getMessage() + "); check the value against the kernel's documentation of " + key);
        }
    }

    /**
     * Bridged frames no longer pass through the namespace's iptables, ip6tables and arptables hooks
     * ({@code bridge-nf-call-*}; a kernel that keeps them for the root namespace only shows none here, and this
     * does nothing). A switch of the fabric is a bridge with netdev chains, which never depended on
     * those hooks, yet with br_netfilter present each frame crossing it went through them (13-17 % of the link
     * engine's time in a flood of 64-byte UDP, most of its sends' delivery being the bridge and the receiving host).
     * Turned off and on again on a running network, alternating: 64-byte UDP between two hosts on one switch
     * (iperf3 -u -b 0 -l 64) 191 000-204 000 frames/s off against 163 000-167 000 on.
     */
    static void keepBridgedFramesFromIpHooks() {
        for (String family : List.of("iptables", "ip6tables", "arptables")) {
            Path file = BRIDGE_NF.resolve("bridge-nf-call-" + family);
            if (!Files.isRegularFile(file)) {
                continue;
            }
            try {
                Files.writeString(file, "0");
            } catch (IOException e) {
                throw new IllegalStateException("cannot turn off " + file + ": " + e.getMessage(), e);
            }
        }
    }

    static void disableIpv6() {
        if (!Files.isDirectory(IPV6_CONF)) {
            return; // kernel without IPv6: nothing to turn off
        }
        for (String scope : new String[] {"default", "all"}) {
            try {
                Files.writeString(IPV6_CONF.resolve(scope).resolve("disable_ipv6"), "1");
            } catch (IOException e) {
                throw new IllegalStateException("cannot disable IPv6: " + e.getMessage(), e);
            }
        }
    }
}
