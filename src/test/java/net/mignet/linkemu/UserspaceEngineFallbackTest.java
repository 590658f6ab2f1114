package net.mignet.linkemu;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Every engine test again on the fallback path, which reads one frame per {@code recvmsg} (taken when the kernel
 * refuses a receive ring): forced with {@code mignet.linkemu.ringSlots=0}, which the engine reads when an
 * emulation starts.
 */
class UserspaceEngineFallbackTest extends UserspaceEngineTest {
    private static final String PROPERTY = "mignet.linkemu.ringSlots";

    @BeforeEach
    void withoutRings() {
        System.setProperty(PROPERTY, "0");
    }

    @AfterEach
    void ringsAgain() {
        System.clearProperty(PROPERTY);
    }

    /** Not repeated here (17 s): thread placement does not depend on how frames are read. */
    @Override
    void two_hundred_delayed_links_spread_over_two_threads_keep_their_delay() {
    }

    @Override
    String expectedInput() {
        return "recvmsg+sendmmsg";
    }
}
