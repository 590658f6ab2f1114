package net.mignet.kernel;

/**
 * Names of the devices mignet adds in the fabric namespace to put a userspace link engine in the middle of a
 * link. {@code _l<n>a} carries the traffic of link {@code n}'s end a (frames from a arrive on it, frames for a
 * leave through it), {@code _l<n>b} that of end b. Topology interface names never start with '_', so these
 * cannot collide with a user's.
 */
public final class LinkDevices {
    private LinkDevices() {
    }

    /** The fabric device facing end a of link {@code index}. */
    public static String facingA(int index) {
        return "_l" + index + "a";
    }

    /** The fabric device facing end b of link {@code index}. */
    public static String facingB(int index) {
        return "_l" + index + "b";
    }
}
