package net.mignet.kernel;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Names everything one emulation owns. Every namespace is called {@code mignet.<id>.<node>}, so
 * "delete everything that starts with my prefix" is a complete cleanup, even after {@code kill -9}.
 * Interface and bridge names need no prefix: they live inside the emulation's own namespaces.
 */
public record EmulationId(String value) {
    public static final String NAMESPACE_PREFIX = "mignet.";
    /** Node names start with a letter, so this can never be a host's namespace. */
    private static final String FABRIC = "_fabric";
    private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9-]{0,40}");
    private static final SecureRandom RANDOM = new SecureRandom();

    public EmulationId {
        if (!VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("emulation id '" + value
                    + "' must be lower-case letters, digits and '-' (at most 41), e.g. demo-1a2b");
        }
    }

    /** Whether {@code value} is a well-formed emulation id. */
    public static boolean isValid(String value) {
        return VALID.matcher(value).matches();
    }

    /** A fresh id for a topology, unique enough that two emulations of one file never collide. */
    public static EmulationId fresh(String topologyName) {
        byte[] suffix = new byte[2];
        RANDOM.nextBytes(suffix);
        return new EmulationId(topologyName + "-" + HexFormat.of().formatHex(suffix));
    }

    public String namespacePrefix() {
        return NAMESPACE_PREFIX + value + ".";
    }

    public String hostNamespace(String node) {
        return namespacePrefix() + node;
    }

    /** The namespace that holds the switches and the switch-side ends of links. */
    public String fabricNamespace() {
        return namespacePrefix() + FABRIC;
    }

    /** Where the emulation records who owns it, so {@code mignet clean} can tell live from orphaned ones. */
    public Path stateDirectory() {
        return stateRoot().resolve(value);
    }

    public static Path stateRoot() {
        return Path.of("/run/mignet");
    }

    /** The emulation id a namespace name belongs to, or null when it is not one of mignet's. */
    public static EmulationId ofNamespace(String namespace) {
        if (!namespace.startsWith(NAMESPACE_PREFIX)) {
            return null;
        }
        String rest = namespace.substring(NAMESPACE_PREFIX.length());
        int dot = rest.indexOf('.');
        if (dot <= 0) {
            return null;
        }
        String id = rest.substring(0, dot);
        return VALID.matcher(id).matches() ? new EmulationId(id) : null;
    }

    @Override
    public String toString() {
        return value;
    }
}
