package net.mignet.image;

/**
 * Whether something criu can do works on this machine, and why not when it does not (the reason names the
 * missing kernel feature and quotes what {@code criu check} said).
 */
public record Capability(String name, boolean supported, String reason) {
    static Capability yes(String name) {
        return new Capability(name, true, name + " supported");
    }

    static Capability no(String name, String because) {
        return new Capability(name, false, name + " unsupported here because " + because);
    }

    @Override
    public String toString() {
        return reason;
    }
}
