package net.mignet.topo;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.regex.Pattern;

/** The rules names must follow before they reach the kernel. */
public final class Names {
    /** Linux IFNAMSIZ is 16 including the terminating NUL. */
    public static final int MAX_INTERFACE_NAME_BYTES = 15;

    private static final Pattern NODE = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,31}");
    private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final Pattern TOPOLOGY = Pattern.compile("[a-z0-9][a-z0-9-]{0,23}");

    /**
     * Words of the {@code mignet>} shell: a node named like one could not be reached there ({@code nodes ...}
     * runs the command, not the host). CLI tests check this list against the shell's real command table;  it
     * includes the fault verbs and the container verbs.
     */
    public static final Set<String> SHELL_WORDS = Set.of("help", "exit", "quit", "nodes", "net", "intfs", "pingall",
            "flows", "flow", "deploy", "apps", "logs", "stop", "remove", "link", "links", "intf", "migrate", "recipe",
            "crash", "freeze", "thaw", "flap", "faults", "restart", "info", "limit", "switches", "iperf", "iperfudp",
            "dump", "sh", "source");

    /** Device names the kernel keeps: {@code all} and {@code default} are sysctl directories, {@code lo} exists. */
    public static final Set<String> RESERVED_DEVICES = Set.of("all", "default", "lo", ".", "..");

    private Names() {
    }

    /** Returns a problem description, or null when the name is fine. */
    public static String topologyNameProblem(String name) {
        if (name == null || !TOPOLOGY.matcher(name).matches()) {
            return "topology name '" + name + "' must be 1-24 characters of lower-case letters, digits and '-',"
                    + " starting with a letter or digit, e.g. service-migration";
        }
        return null;
    }

    /** Returns a problem description, or null when the name is fine. */
    public static String nodeNameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "a node needs a name";
        }
        if (!NODE.matcher(name).matches()) {
            return "node name '" + name + "' must start with a letter and use only letters, digits, '_' and '-'"
                    + " (at most 32 characters), e.g. h1 or s1";
        }
        if (SHELL_WORDS.contains(name)) {
            return "node name '" + name + "' is a command of the mignet shell, which could then not reach the node;"
                    + " choose another name, e.g. " + name + "1";
        }
        return null;
    }

    /** The longest app name: it names the app's log and cgroup, and shows in a column of {@code apps}. */
    public static final int MAX_APP_NAME = 64;

    /**
     * Returns a problem description naming the rule an app name breaks (letters, digits, '_', '.' and '-', starting
     * with a letter or digit, at most 64 characters), or null when the name is fine.
     */
    public static String appNameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "an app needs a name, e.g. web";
        }
        // A long name is shown cut short: the message stays one readable line.
        String shown = name.length() > 24 ? name.substring(0, 20) + "..." : name;
        if (name.length() > MAX_APP_NAME) {
            return "app name '" + shown + "' is " + name.length() + " characters long; at most " + MAX_APP_NAME;
        }
        int bad = name.codePoints().filter(c -> !isAppNameChar(c)).findFirst().orElse(-1);
        if (bad >= 0) {
            return "app name '" + shown + "' contains '" + Character.toString(bad) + "'; use only letters, digits,"
                    + " '_', '.' and '-'";
        }
        if (!Character.isLetterOrDigit(name.charAt(0))) {
            return "app name '" + shown + "' starts with '" + name.charAt(0) + "'; it must start with a letter or"
                    + " digit, e.g. " + (name.replaceFirst("^[_.-]+", "").isEmpty() ? "app1"
                            : name.replaceFirst("^[_.-]+", ""));
        }
        return null;
    }

    private static boolean isAppNameChar(int c) {
        return c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '-');
    }

    /** A switch is also a bridge device: its name follows the node rules and the interface rules. */
    public static String switchNameProblem(String name) {
        String problem = nodeNameProblem(name);
        if (problem == null) {
            problem = interfaceNameProblem(name);
        }
        return problem == null ? null : problem.replace("interface name", "switch name")
                + " (a switch is a bridge device of that name)";
    }

    public static void requireNodeName(String name) {
        String problem = nodeNameProblem(name);
        if (problem != null) {
            throw new TopologyException(problem);
        }
    }

    public static void requireSwitchName(String name) {
        String problem = switchNameProblem(name);
        if (problem != null) {
            throw new TopologyException(problem);
        }
    }

    /** Returns a problem description, or null when the name is fine. */
    public static String interfaceNameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "an interface needs a name";
        }
        if (!INTERFACE.matcher(name).matches()) {
            return "interface name '" + name + "' may use only letters, digits, '_', '.' and '-'";
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_INTERFACE_NAME_BYTES) {
            return "interface name '" + name + "' is " + name.length() + " bytes; Linux allows at most "
                    + MAX_INTERFACE_NAME_BYTES + " (name it explicitly with a shorter name, e.g. "
                    + name.substring(0, MAX_INTERFACE_NAME_BYTES) + ")";
        }
        if (name.startsWith("_")) {
            return "interface name '" + name + "' starts with '_', which mignet keeps for its own devices"
                    + " (link emulation); start it with a letter or digit";
        }
        if (RESERVED_DEVICES.contains(name)) {
            return "interface name '" + name + "' is reserved by the kernel (all, default and lo are taken in every"
                    + " network namespace); choose another, e.g. " + name.replace(".", "dot") + "0";
        }
        return null;
    }
}
