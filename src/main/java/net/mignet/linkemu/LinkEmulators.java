package net.mignet.linkemu;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import net.mignet.kernel.Command;
import net.mignet.kernel.CommandResult;
import net.mignet.kernel.CpuWakeLatency;

/** Picks the link emulator of a run: netem where the kernel has it (tested, never assumed), else userspace. */
public final class LinkEmulators {
    private static final String PROBE_A = "_netem0";
    private static final String PROBE_B = "_netem1";

    private LinkEmulators() {
    }

    /**
     * The emulator for {@code choice}; {@code fabric} is the emulation's fabric namespace, where netem is probed
     * on a throw-away veth pair.
     */
    public static LinkEmulator create(LinkEngineChoice choice, String fabric, Consumer<String> log,
            Consumer<String> portReplaced, long seed) {
        if (choice == LinkEngineChoice.USERSPACE) {
            return userspace("forced by --link-engine=userspace", log, portReplaced, seed);
        }
        Optional<String> missing = netemMissing(fabric);
        if (missing.isEmpty()) {
            log.accept("*** Link emulation: netem (the kernel has it)");
            return new NetemBackend(log);
        }
        if (choice == LinkEngineChoice.NETEM) {
            throw new IllegalStateException("--link-engine=netem, but this kernel has no netem (" + missing.get()
                    + "); load sch_netem, or run with --link-engine=userspace or auto");
        }
        return userspace("no netem in this kernel: " + missing.get(), log, portReplaced, seed);
    }

    private static UserspaceEngine userspace(String why, Consumer<String> log, Consumer<String> portReplaced,
            long seed) {
        EngineSettings settings = EngineSettings.fromSystemProperties();
        // Said up front: it changes how the whole machine idles while frames pass.
        log.accept("*** Link emulation: userspace engine (" + why + ")"
                + AwakeCpus.startupNote(settings.awakeCpus(), CpuWakeLatency.idleDriver()));
        return new UserspaceEngine(log, portReplaced, seed, settings);
    }

    /** Why netem cannot be used here, or empty when a netem qdisc could be added to a scratch device. */
    public static Optional<String> netemMissing(String namespace) {
        Command.check(List.of("ip", "-n", namespace, "link", "add", PROBE_A, "type", "veth", "peer", "name", PROBE_B));
        try {
            CommandResult r = Command.run(List.of("tc", "-n", namespace, "qdisc", "add", "dev", PROBE_A, "root",
                    "netem", "delay", "1ms"));
            return r.ok() ? Optional.empty() : Optional.of("tc: " + r.stderr().strip().lines().findFirst().orElse(""));
        } finally {
            Command.check(List.of("ip", "-n", namespace, "link", "del", PROBE_A));
        }
    }
}
