package net.mignet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InterruptRouterTest {

    @Test
    void ctrl_c_stops_the_running_command_and_nothing_else() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        InterruptRouter router = new InterruptRouter(Thread.currentThread(), new PrintStream(err, true,
                StandardCharsets.UTF_8));
        AtomicInteger stops = new AtomicInteger();
        InterruptRouter.Stoppable command = stops::incrementAndGet;
        router.running(command);
        router.interrupt();
        router.done(command);
        router.interrupt(); // at no command: nothing to stop, nothing said
        assertThat(stops).hasValue(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void ctrl_c_stops_what_is_nested_and_says_when_the_innermost_built_in_cannot_be_stopped() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        InterruptRouter router = new InterruptRouter(Thread.currentThread(), new PrintStream(err, true,
                StandardCharsets.UTF_8));
        AtomicInteger fileStops = new AtomicInteger();
        AtomicInteger commandStops = new AtomicInteger();
        InterruptRouter.Stoppable file = fileStops::incrementAndGet; // source FILE
        InterruptRouter.Stoppable command = commandStops::incrementAndGet; // a host command on one of its lines
        router.running(file);
        router.running(command);
        router.interrupt();
        assertThat(fileStops).hasValue(1);
        assertThat(commandStops).hasValue(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();

        router.done(command);
        String outer = router.busyWith("migrate"); // the file's next line
        router.interrupt();
        assertThat(fileStops).hasValue(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("mignet: 'migrate' "); // the second press within a second: what it waits for
        router.busyWith(outer);
        router.done(file);
        assertThat(outer).isNull();
    }

    @Test
    void twice_within_a_second_during_a_hung_teardown_it_says_what_it_waits_for() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Thread teardown = Thread.ofPlatform().start(() -> HangingStep.waitIn(release));
        try {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            InterruptRouter router = new InterruptRouter(teardown, new PrintStream(err, true, StandardCharsets.UTF_8));
            router.tearingDown();
            while (teardown.getState() != Thread.State.WAITING) {
                Thread.onSpinWait();
            }
            router.interrupt();
            router.interrupt();
            assertThat(err.toString(StandardCharsets.UTF_8))
                    .contains("tearing the network down, please wait")
                    .contains("still tearing down; waiting for mignet (in HangingStep.waitIn");
        } finally {
            release.countDown();
            teardown.join();
        }
    }

    /** Stands for a teardown step that does not end: its frames are in mignet's packages, as real ones are. */
    static final class HangingStep {
        static void waitIn(CountDownLatch release) {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
