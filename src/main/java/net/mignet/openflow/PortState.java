package net.mignet.openflow;

/**
 * One switch port as the kernel reports it now: its OpenFlow number, interface name, MAC, whether it carries
 * traffic, and its counters.
 */
record PortState(int number, String name, long mac, boolean up, long rxPackets, long txPackets, long rxBytes,
        long txBytes, long rxDropped, long txDropped, long rxErrors, long txErrors) {
}
