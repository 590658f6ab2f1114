package net.mignet.linkemu;

import java.util.Arrays;
import java.util.Locale;

/** Which link emulator a run uses: chosen by what the kernel has, or forced. */
public enum LinkEngineChoice {
    /** netem when the kernel has it, the userspace engine otherwise. */
    AUTO,
    USERSPACE,
    NETEM;

    public static LinkEngineChoice parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(c -> c.word().equals(t)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("'" + text
                        + "' is not a link engine; write auto, userspace or netem"));
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
