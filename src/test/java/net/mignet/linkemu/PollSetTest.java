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
    }

    /** Callable from any thread. */
    private static void makeReadable(Member m) {
        try (Arena local = Arena.ofConfined()) {
            MemorySegment one = local.allocate(8, 8);
            one.set(ValueLayout.JAVA_LONG, 0, 1);
            assertThat(Native.write(m.fd(), one, 8)).isEqualTo(8);
        }
    }

    @Test
    void hands_out_the_ready_members_and_times_out_when_none_is() {
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
        assertThat(handed).containsExactlyInAnyOrder("a", "c");
    }

    @Test
    void among_hundreds_of_members_hands_out_only_the_one_made_ready_from_another_thread() throws Exception {
        List<Member> many = new ArrayList<>();
        try {
            for (int i = 0; i < 400; i++) {
                many.add(new Member("m" + i, Native.eventfd()));
            }
            pollSet.rebuild(many, Member::fd);
            CompletableFuture<Void> later = CompletableFuture.runAsync(() -> makeReadable(many.get(399)),
                    CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS));
            int ready = pollSet.await(TimeUnit.SECONDS.toNanos(5), m -> handed.add(m.name()));
            later.get(5, TimeUnit.SECONDS);
            assertThat(ready).isEqualTo(1);
            assertThat(handed).containsExactly("m399");
        } finally {
            many.forEach(m -> NativeCalls.close(m.fd()));
        }
    }

    @Test
    void a_rebuild_drops_the_members_left_out() {
        pollSet.rebuild(members, Member::fd);
        pollSet.rebuild(members.subList(1, 3), Member::fd);
        makeReadable(members.get(0));
        assertThat(pollSet.await(TimeUnit.MILLISECONDS.toNanos(10), m -> handed.add(m.name()))).isZero();
        makeReadable(members.get(2));
        pollSet.await(Long.MAX_VALUE, m -> handed.add(m.name()));
        assertThat(handed).containsExactly("c");
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
