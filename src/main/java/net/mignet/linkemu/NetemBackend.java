package net.mignet.linkemu;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import net.mignet.kernel.Command;
import net.mignet.kernel.TrafficShaping;
import net.mignet.topo.GilbertElliott;
import net.mignet.topo.JitterDistribution;
import net.mignet.topo.LinkParams;

/**
 * Link emulation in the kernel: on each end's device, for the traffic leaving through it, a netem qdisc, under
 * a tbf root when the direction also has a rate ({@code tbf 1: -> netem 10:}), or a tbf alone.
 * Note that netem reorders frames whose jitter overtakes a predecessor's; the userspace engine does not.
 */
public final class NetemBackend implements LinkEmulator {
    private final Consumer<String> log;
    private boolean warnedAboutJitter;

    public NetemBackend(Consumer<String> log) {
        this.log = log;
    }

    @Override
    public String name() {
        return "netem";
    }

    @Override
    public synchronized void apply(List<Change> changes) {
        for (Change c : changes) {
            configure(c.path().a(), c.aToB());
            configure(c.path().b(), c.bToA());
        }
    }

    private void configure(LinkPath.Port port, LinkParams p) {
        TrafficShaping.removeRootQdisc(port.namespace(), port.device());
        List<List<String>> commands = new ArrayList<>();
        if (p.hasImpairments()) {
            if (p.bandwidthMbit() != null) {
                commands.add(TrafficShaping.tbfWords("add", port.device(), "root", "1:", p.bandwidthMbit()));
                commands.add(netemWords(port.device(), List.of("parent", "1:1", "handle", "10:"), p));
            } else {
                commands.add(netemWords(port.device(), List.of("root", "handle", "1:"), p));
            }
            if (p.jitter() != null && !p.jitter().isZero() && (p.reorderPercent() == null || p.reorderPercent() == 0)
                    && !warnedAboutJitter) {
                warnedAboutJitter = true;
                log.accept("!!! netem reorders frames when jitter lets one overtake another; use"
                        + " --link-engine=userspace for jitter that keeps the order");
            }
        } else if (p.bandwidthMbit() != null) {
            commands.add(TrafficShaping.tbfWords("add", port.device(), "root", null, p.bandwidthMbit()));
        }
        for (List<String> words : commands) {
            List<String> argv = new ArrayList<>(List.of("tc", "-n", port.namespace()));
            argv.addAll(words);
            Command.check(argv);
        }
    }

    /** The tc words of a netem qdisc for {@code p}; durations in microseconds, tc's finest unit. */
    static List<String> netemWords(String device, List<String> placement, LinkParams p) {
        List<String> w = new ArrayList<>(List.of("qdisc", "add", "dev", device));
        w.addAll(placement);
        w.addAll(List.of("netem", "limit", Integer.toString(p.effectiveQueueLimit())));
        long delayUs = p.delay() == null ? 0 : p.delay().toNanos() / 1000;
        long jitterUs = p.jitter() == null ? 0 : p.jitter().toNanos() / 1000;
        if (delayUs > 0 || jitterUs > 0) {
            w.addAll(List.of("delay", delayUs + "us"));
            if (jitterUs > 0) {
                w.add(jitterUs + "us");
                if (p.jitterDistribution() == JitterDistribution.NORMAL) {
                    w.addAll(List.of("distribution", "normal"));
                }
            }
        }
        if (p.lossPercent() != null && p.lossPercent() > 0) {
            w.addAll(List.of("loss", "random", percent(p.lossPercent())));
        }
        GilbertElliott g = p.gilbertElliott();
        if (g != null) {
            w.addAll(List.of("loss", "gemodel", percent(g.p()), percent(g.r()), percent(g.oneMinusH()),
                    percent(g.oneMinusK())));
        }
        if (p.duplicatePercent() != null && p.duplicatePercent() > 0) {
            w.addAll(List.of("duplicate", percent(p.duplicatePercent())));
        }
        if (p.corruptPercent() != null && p.corruptPercent() > 0) {
            w.addAll(List.of("corrupt", percent(p.corruptPercent())));
        }
        if (p.reorderPercent() != null && p.reorderPercent() > 0) {
            w.addAll(List.of("reorder", percent(p.reorderPercent())));
        }
        return w;
    }

    private static String percent(double v) {
        return String.format(Locale.ROOT, "%.6f%%", v);
    }

    @Override
    public String describe(LinkPath path, LinkParams aToB, LinkParams bToA) {
        if (aToB.hasImpairments() || bToA.hasImpairments()) {
            return name();
        }
        return aToB.bandwidthMbit() != null || bToA.bandwidthMbit() != null ? "tbf" : "-";
    }

    @Override
    public void close() {
        // The qdiscs go with the namespaces.
    }
}
