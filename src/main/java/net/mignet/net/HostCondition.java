package net.mignet.net;

/** Whether a host runs normally or suffers a fault injected through {@link Faults}. */
public enum HostCondition {
    /** Running normally. */
    UP,
    /** Its processes are stopped ({@code freeze}); its kernel still answers ARP and ping. */
    FROZEN,
    /** Every process on it was killed and its interfaces are down ({@code crash}) until {@code restart}. */
    CRASHED;

    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
