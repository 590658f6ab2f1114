package net.mignet.migrate;

import java.time.Duration;

/**
 * The frames held at the switch while the service moved.
 *
 * @param frames  frames held and then delivered to the service
 * @param bytes   their bytes
 * @param longest the longest time one frame was held
 * @param dropped frames the hold could not keep (its bound overflowed): lost at the switch
 */
public record HeldFrames(long frames, long bytes, Duration longest, long dropped) {
    public static final HeldFrames NONE = new HeldFrames(0, 0, Duration.ZERO, 0);

    HeldFrames plus(HeldFrames o) {
        return new HeldFrames(frames + o.frames, bytes + o.bytes,
                longest.compareTo(o.longest) >= 0 ? longest : o.longest, dropped + o.dropped);
    }
}
