package net.mignet.linkemu;

/**
 * Counters of one direction of an engine link, since it was attached: frames received, sent, lost by the loss
 * model, dropped because the queue held {@code limit} frames already (or, rarely, a frame was too big to hold,
 * or the kernel found the receive ring full), duplicated, corrupted, refused by the outgoing device (down, or its
 * tbf full), and held now; the {@code sendmmsg} calls that sent them (frames per call: how well sending was
 * batched); how late frames left against their due time since the parameters last changed; and how frames are
 * read ({@code ring}: a {@code PACKET_MMAP} ring, {@code recvmsg}: one call per frame). Of the frames received,
 * sent and lost, {@code kernelFrames} took the kernel's path ({@link KernelPath}: the direction held nothing
 * then; {@code kernelLost} of them lost there), which they still take when {@code inKernel}; the lateness and
 * frames per send are the engine's frames' only. A frame the kernel path forwards counts as sent even when the
 * far device then refuses it (down while the link is cut), which the engine counts as a send error.
 */
public record DirectionStats(String direction, long received, long sent, long lost, long overLimit,
        long duplicated, long corrupted, long sendErrors, int queued, long sendCalls, DueTimeError late,
        String input, long kernelFrames, long kernelLost, boolean inKernel) {
    @Override
    public String toString() {
        long engineSent = sent - (kernelFrames - kernelLost);
        return direction + ": rx " + received + " tx " + sent + " lost " + lost + " over-limit " + overLimit
                + " dup " + duplicated + " corrupt " + corrupted + (sendErrors > 0 ? " send-errors " + sendErrors : "")
                + " queued " + queued + (sendCalls > 0 ? String.format(java.util.Locale.ROOT,
                        " %.1f frames/send", (double) (engineSent + sendErrors) / sendCalls) : "") + " " + late + " ("
                + input + (kernelFrames > 0 || inKernel ? ", " + kernelFrames + " through the kernel"
                        + (inKernel ? ", now" : "") : "") + ")";
    }
}
