package net.mignet.linkemu;

import net.mignet.kernel.LinkDevices;

/**
 * Where a link's devices are, as a link emulator needs to know: each end's device and namespace, and which
 * ends are switch ports (bridge members in the fabric namespace).
 *
 * @param index  the link's position in the topology; names the engine's devices ({@code _l<index>a/b})
 * @param a      end a
 * @param b      end b
 * @param fabric the emulation's fabric namespace
 */
public record LinkPath(int index, Port a, Port b, String fabric) {

    /**
     * One end of a link.
     *
     * @param node      node name
     * @param device    the interface the link has on that node
     * @param namespace the namespace the interface is in
     * @param bridge    the bridge it is a port of (the switch), or null on a host
     */
    public record Port(String node, String device, String namespace, String bridge) {
        public boolean isSwitchPort() {
            return bridge != null;
        }

        @Override
        public String toString() {
            return node + ":" + device;
        }
    }

    /** The engine's fabric device facing end a: frames from a arrive on it, frames for a leave through it. */
    public String engineDeviceA() {
        return LinkDevices.facingA(index);
    }

    /** The engine's fabric device facing end b. */
    public String engineDeviceB() {
        return LinkDevices.facingB(index);
    }

    @Override
    public String toString() {
        return a + " <-> " + b;
    }
}
