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
