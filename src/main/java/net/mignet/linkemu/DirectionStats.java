package net.mignet.linkemu;

/** Counters of one direction of an engine link, since it was attached. */
public record DirectionStats(String direction, long received, long sent, long lost, long overLimit,
        long duplicated, long corrupted, long sendErrors, int queued) {
    @Override
    public String toString() {
        return direction + ": rx " + received + " tx " + sent + " lost " + lost + " over-limit " + overLimit
                + " dup " + duplicated + " corrupt " + corrupted + (sendErrors > 0 ? " send-errors " + sendErrors : "")
                + " queued " + queued;
    }
}
