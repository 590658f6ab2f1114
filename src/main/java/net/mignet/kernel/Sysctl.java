package net.mignet.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Network sysctls of the calling thread's namespace: {@code /proc/sys/net} shows the namespace of the task
 * that opens it, so this is used from {@link NamespaceThread}.
 */
final class Sysctl {
    private static final Path IPV6_CONF = Path.of("/proc/sys/net/ipv6/conf");

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
