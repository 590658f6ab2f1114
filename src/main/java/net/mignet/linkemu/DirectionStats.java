package net.mignet.linkemu;

/**
 * Counters of one direction of an engine link, since it was attached: frames received, sent, lost by the loss
 * model, dropped because the queue held {@code limit} frames already (or, rarely, a frame was too big to hold,
 * or the kernel found the receive ring full), duplicated, corrupted, refused by the outgoing device (down, or its
 * tbf full), and held now; the {@code sendmmsg} calls that sent them (frames per call: how well sending was
 * batched); how late frames left against their due time since the parameters last changed; and how frames are
 * read ({@code ring}: a {@code PACKET_MMAP} ring, {@code recvmsg}: one call per frame). Of the frames received,
 * sent and lost, {@code kernelFrames} took the kernel's path ({@link KernelPath}: the direction held nothing
 * then), which they still take when {@code inKernel}; the lateness is the engine's frames' only.
 */
public record DirectionStats(String direction, long received, long sent, long lost, long overLimit,
        long duplicated, long corrupted, long sendErrors, int queued, long sendCalls, DueTimeError late,
        String input, long kernelFrames, boolean inKernel) {
    @Override
    public String toString() {
        return direction + ": rx " + received + " tx " + sent + " lost " + lost + " over-limit " + overLimit
                + " dup " + duplicated + " corrupt " + corrupted + (sendErrors > 0 ? " send-errors " + sendErrors : "")
                + " queued " + queued + (sendCalls > 0 ? String.format(java.util.Locale.ROOT,
                        " %.1f frames/send", (double) (sent + sendErrors) / sendCalls) : "") + " " + late + " ("
                + input + (kernelFrames > 0 || inKernel ? ", " + kernelFrames + " through the kernel"
                        + (inKernel ? ", now" : "") : "") + ")";
    }
}
