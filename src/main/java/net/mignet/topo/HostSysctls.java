package net.mignet.topo;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The network sysctls a host's namespace gets. A host with more than one interface answers ARP only for the
 * addresses of the interface asked on ({@code arp_ignore=1}) and announces the best local address for the
 * target ({@code arp_announce=2}), as multi-homed hosts are usually set up: with the kernel's defaults it
 * answers for any of its addresses on every interface (ARP flux), and hosts sharing an address get the wrong
 * MAC. A host's own {@code sysctls:} override these.
 */
public final class HostSysctls {
    public static final String ARP_IGNORE = "net.ipv4.conf.all.arp_ignore";
    public static final String ARP_ANNOUNCE = "net.ipv4.conf.all.arp_announce";

    /** Dotted names under net., as sysctl(8) writes them; interface names with '.' cannot be named this way. */
    private static final Pattern KEY = Pattern.compile("net(\\.[A-Za-z0-9_-]{1,64}){1,8}");
    private static final Pattern VALUE = Pattern.compile("[\\x20-\\x7e]{1,256}");

    private HostSysctls() {
    }

    /** Returns a problem description, or null when the setting may be written. */
    public static String problem(String key, String value) {
        if (key == null || !KEY.matcher(key).matches()) {
            return "sysctl '" + key + "' must be a dotted name under net., e.g. net.ipv4.conf.all.arp_ignore"
                    + " (only network settings belong to a host's namespace)";
        }
        if (value == null || !VALUE.matcher(value).matches() || !value.strip().equals(value)) {
            return "sysctl " + key + " needs a value of 1-256 printable characters without surrounding spaces,"
                    + " e.g. '" + key + ": 1'";
        }
        return null;
    }

    /** mignet's defaults for a host with {@code interfaces} interfaces, then the host's own settings. */
    public static Map<String, String> effective(HostSpec host, int interfaces) {
        Map<String, String> all = new LinkedHashMap<>();
        if (interfaces > 1) {
            all.put(ARP_IGNORE, "1");
            all.put(ARP_ANNOUNCE, "2");
        }
        all.putAll(host.sysctls());
        return all;
    }
}
