package net.mignet.image;

import java.util.Objects;

/**
 * The outcome of looking for a working criu: the installation, or the exact reason there is none (what was
 * tried and what each attempt said), so a strategy or a skipped test can say why.
 */
public record CriuLookup(CriuInstallation found, String unavailableReason) {
    public CriuLookup {
        if ((found == null) == (unavailableReason == null)) {
            throw new IllegalArgumentException("a criu lookup has either an installation or a reason, not both");
        }
    }

    static CriuLookup of(CriuInstallation installation) {
        return new CriuLookup(Objects.requireNonNull(installation), null);
    }

    static CriuLookup unavailable(String reason) {
        return new CriuLookup(null, reason);
    }

    public boolean isAvailable() {
        return found != null;
    }

    /** The installation; throws with the reason when there is none. */
    public CriuInstallation installation() {
        if (found == null) {
            throw new IllegalStateException("no working criu " + CriuInstallation.MINIMUM + " or newer: "
                    + unavailableReason);
        }
        return found;
    }

    @Override
    public String toString() {
        return found != null ? found.toString() : "criu unavailable: " + unavailableReason;
    }
}
