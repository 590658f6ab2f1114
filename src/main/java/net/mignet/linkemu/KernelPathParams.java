package net.mignet.linkemu;

import net.mignet.topo.LinkParams;

/** Which parameters of a link direction the {@link KernelPath} can carry out, and its loss. */
final class KernelPathParams {
    private KernelPathParams() {
    }

    /**
     * Whether {@code p} holds no frame and decides nothing per frame but random loss: no delay or jitter, no
     * reordering, duplication or corruption, no burst loss (its state would need one thread). The queue limit
     * only bounds what is held, and rates are the end devices' tbf, so neither matters here.
     */
    static boolean holdsNothing(LinkParams p) {
        return zero(p.delay()) && zero(p.jitter()) && zero(p.reorderPercent()) && zero(p.duplicatePercent())
                && zero(p.corruptPercent()) && p.gilbertElliott() == null;
    }

    /** The share of frames lost, 0-1. */
    static double lossFraction(LinkParams p) {
        return p.lossPercent() == null ? 0 : p.lossPercent() / 100;
    }

    private static boolean zero(java.time.Duration d) {
        return d == null || d.isZero();
    }

    private static boolean zero(Double percent) {
        return percent == null || percent == 0;
    }
}
