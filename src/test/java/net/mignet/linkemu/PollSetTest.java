package net.mignet.linkemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.mignet.kernel.NativeCalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** PollSet on eventfds, which stand in for packet sockets: readable once written to. */
class PollSetTest {
    private record Member(String name, int fd) {
    }

    private final Arena arena = Arena.ofConfined();
    private final LoopMailbox mailbox = new LoopMailbox("the test loop");
    private final PollSet<Member> pollSet = new PollSet<>(mailbox);
    private final List<Member> members = List.of(new Member("a", Native.eventfd()), new Member("b",
            Native.eventfd()), new Member("c", Native.eventfd()));
    private final List<String> handed = new ArrayList<>();

    @AfterEach
    void close() {
        members.forEach(m -> NativeCalls.close(m.fd()));
        pollSet.close();
        mailbox.close();
        arena.close();
    }

    private void makeReadable(Member m) {
        MemorySegment one = arena.allocate(8, 8);
        one.set(ValueLayout.JAVA_LONG, 0, 1);
        assertThat(Native.write(m.fd(), one, 8)).isEqualTo(8);
    }

    @Test
    void hands_out_the_ready_members_in_order_and_times_out_when_none_is() {
        pollSet.rebuild(members, Member::fd);
        assertThat(pollSet.size()).isEqualTo(3);
        assertThat(pollSet.member(1).name()).isEqualTo("b");

        long start = System.nanoTime();
        pollSet.await(TimeUnit.MILLISECONDS.toNanos(20), m -> handed.add(m.name()));
        assertThat(handed).isEmpty();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(15));

        makeReadable(members.get(2));
        makeReadable(members.get(0));
        pollSet.await(Long.MAX_VALUE, m -> handed.add(m.name()));
        assertThat(handed).containsExactly("a", "c");
    }

    @Test
    void a_member_not_listened_to_is_not_handed_out() {
        pollSet.rebuild(members, Member::fd);
        makeReadable(members.get(1));
        pollSet.setListening(1, false);
        pollSet.await(TimeUnit.MILLISECONDS.toNanos(10), m -> handed.add(m.name()));
        assertThat(handed).isEmpty();

        pollSet.setListening(1, true);
        pollSet.await(Long.MAX_VALUE, m -> handed.add(m.name()));
        assertThat(handed).containsExactly("b");
    }

    @Test
    void a_posted_command_wakes_the_wait_and_runs_there_and_a_rebuild_in_it_applies_to_the_next_wait()
            throws Exception {
        pollSet.rebuild(members.subList(0, 1), Member::fd);
        makeReadable(members.get(1));
        Thread loop = Thread.currentThread();
        CompletableFuture<Boolean> ranOnLoop = CompletableFuture.supplyAsync(() -> mailbox.call(() -> {
            pollSet.rebuild(members, Member::fd);
            return Thread.currentThread() == loop;
        }));
        pollSet.await(TimeUnit.SECONDS.toNanos(5), m -> handed.add(m.name()));
        assertThat(ranOnLoop.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(handed).as("b was not polled in that wait").isEmpty();

        pollSet.await(Long.MAX_VALUE, m -> handed.add(m.name()));
        assertThat(handed).containsExactly("b");
    }
}
