package net.mignet.linkemu;

/**
 * What one direction of a link holds on its way through the link emulator, read at one instant: a migration's
 * drain asks it to learn, exactly, when nothing sent toward the old host is still on the way.
 *
 * @param carried   whether the userspace engine carries the direction; when not, frames go straight through the
 *                  kernel's devices and the other fields are zero
 * @param received  frames the engine has taken from its receive ring so far, and those its kernel path took
 *                  (counts movement between two looks)
 * @param sent      frames the engine has handed to the kernel so far, and those its kernel path forwarded
 * @param queued    frames the engine holds now (waiting for their release time)
 * @param ringEmpty whether no frame waits unread in the engine's receive ring
 */
public record LinkTransit(boolean carried, long received, long sent, int queued, boolean ringEmpty) {
    /** A direction the engine does not carry. */
    public static final LinkTransit NOT_CARRIED = new LinkTransit(false, 0, 0, 0, true);

    /** Whether the engine holds nothing of this direction, neither queued nor unread. */
    public boolean empty() {
        return queued == 0 && ringEmpty;
    }
}
