package net.mignet.linkemu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import net.mignet.kernel.NativeCalls;

/**
 * What a single-threaded packet loop waits on in {@code ppoll}: its {@link LoopMailbox}'s eventfd, then one
 * descriptor per member (a packet socket's direction or hold slot). Waiting allocates nothing, since the loops
 * call it once per burst; only {@link #rebuild} does, when the set of members changes. Used by the loop thread
 * only, so it needs no locks.
 */
final class PollSet<T> implements AutoCloseable {
    /** {@code struct pollfd}: int fd, short events, short revents. */
    private static final int POLLFD_BYTES = 8;
    private static final int EVENTS_OFFSET = 4;
    private static final int REVENTS_OFFSET = 6;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** The mailbox's slot; members follow it. */
    private static final int MAILBOX = 0;

    private final LoopMailbox mailbox;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment timespec = arena.allocate(16, 8);
    private MemorySegment pollFds = MemorySegment.NULL;
    private List<T> members = List.of();
    /** Entries in {@link #pollFds}: the mailbox and the members. */
    private int pollCount;

    PollSet(LoopMailbox mailbox) {
        this.mailbox = mailbox;
        rebuild(List.of(), member -> -1);
    }

    /**
     * Polls {@code members} from now on, each on {@code fd(member)}, all for readability. Safe in a command run
     * by {@link #await}: that wait still hands out the members it polled.
     */
    void rebuild(List<? extends T> members, ToIntFunction<? super T> fd) {
        this.members = List.copyOf(members);
        pollCount = this.members.size() + 1;
        pollFds = arena.allocate((long) pollCount * POLLFD_BYTES, 8);
        setPollFd(MAILBOX, mailbox.fd());
        for (int i = 0; i < this.members.size(); i++) {
            setPollFd(i + 1, fd.applyAsInt(this.members.get(i)));
        }
    }

    int size() {
        return members.size();
    }

    T member(int i) {
        return members.get(i);
    }

    /** Whether the next {@link #await} wakes for member {@code i}'s descriptor; left out, its data waits. */
    void setListening(int i, boolean listening) {
        pollFds.set(ValueLayout.JAVA_SHORT, (long) (i + 1) * POLLFD_BYTES + EVENTS_OFFSET,
                listening ? Native.POLLIN : 0);
    }

    /**
     * Waits at most {@code timeoutNanos} ({@link Long#MAX_VALUE}: until something is ready) for the mailbox or a
     * member; runs the mailbox's commands if it was woken, then hands each ready member to {@code onReady}, in
     * order. A timeout or a signal returns without either. Returns how many descriptors were ready (0 for none).
     */
    int await(long timeoutNanos, Consumer<? super T> onReady) {
        // A command run below may rebuild the set; the answers belong to the entries polled now.
        MemorySegment fds = pollFds;
        List<T> polled = members;
        int count = pollCount;
        // Forever as a timeout of 292 years (the kernel saturates it and arms no timer) rather than no timeout: a
        // warm-up never waits forever, and C2 compiled the branch to a null timeout as a trap that the first
        // real idle wait sprang, throwing the compiled loop away.
        int ready = Native.ppoll(fds, count, timeout(timeoutNanos));
        if (ready == -Native.EINTR || ready == 0) {
            return 0;
        }
        if (ready < 0) {
            throw new IllegalStateException("ppoll: " + NativeCalls.strerror(-ready));
        }
        if (revents(fds, MAILBOX) != 0) {
            mailbox.runCommands(true);
        }
        for (int i = 1; i < count; i++) {
            if (revents(fds, i) != 0) {
                onReady.accept(polled.get(i - 1));
            }
        }
        return ready;
    }

    /**
     * Waits at most {@code timeoutNanos} for the mailbox only, leaving the members' data waiting (a busy loop
     * that reads its rings on a timer instead of being woken per frame); runs the mailbox's commands if woken.
     */
    void awaitMailbox(long timeoutNanos) {
        int ready = Native.ppoll(pollFds, 1, timeout(timeoutNanos));
        if (ready < 0 && ready != -Native.EINTR) {
            throw new IllegalStateException("ppoll: " + NativeCalls.strerror(-ready));
        }
        if (ready > 0 && revents(pollFds, MAILBOX) != 0) {
            mailbox.runCommands(true);
        }
    }

    private MemorySegment timeout(long nanos) {
        timespec.set(ValueLayout.JAVA_LONG, 0, nanos / NANOS_PER_SECOND);
        timespec.set(ValueLayout.JAVA_LONG, 8, nanos % NANOS_PER_SECOND);
        return timespec;
    }

    private static int revents(MemorySegment fds, int entry) {
        return fds.get(ValueLayout.JAVA_SHORT, (long) entry * POLLFD_BYTES + REVENTS_OFFSET);
    }

    private void setPollFd(int entry, int fd) {
        pollFds.set(ValueLayout.JAVA_INT, (long) entry * POLLFD_BYTES, fd);
        pollFds.set(ValueLayout.JAVA_SHORT, (long) entry * POLLFD_BYTES + EVENTS_OFFSET, Native.POLLIN);
    }

    /** After the loop thread has ended. */
    @Override
    public void close() {
        arena.close();
    }
}
