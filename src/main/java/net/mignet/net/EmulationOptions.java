package net.mignet.net;

import net.mignet.linkemu.LinkEngineChoice;

/**
 * How to run an emulation, beyond its topology.
 *
 * @param linkEngine which link emulator applies delay, loss and the like: netem, userspace, or auto (netem when
 *                   the kernel has it)
 * @param seed       seed of the link engine's random streams (loss, jitter, ...), so runs can be repeated
 */
public record EmulationOptions(LinkEngineChoice linkEngine, long seed) {
    public static final EmulationOptions DEFAULT = new EmulationOptions(LinkEngineChoice.AUTO, 1);

    public EmulationOptions {
        if (linkEngine == null) {
            throw new IllegalArgumentException("linkEngine must be given (LinkEngineChoice.AUTO to let mignet pick)");
        }
    }

    public EmulationOptions withLinkEngine(LinkEngineChoice choice) {
        return new EmulationOptions(choice, seed);
    }
}
