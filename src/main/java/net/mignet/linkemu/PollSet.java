package net.mignet.linkemu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import net.mignet.kernel.NativeCalls;

/**
 * What a single-threaded packet loop waits on: its {@link LoopMailbox}'s eventfd and one descriptor per member (a
 * packet socket's direction or hold slot), in an epoll set. Not {@code ppoll}: that adds the thread to every
 * descriptor's wait queue before each sleep and polls every descriptor again after each wake-up, so its cost grows with
 * the links a thread serves. With 102 links on each of two threads, a frame through a 0 ms link waited 112 us (p50)
 * between its arrival and the end of the thread's {@code ppoll}, against 16 us with 3 links; in alternating runs the
 * link added 0.220 and 0.196 ms of round trip (p50) with {@code ppoll}, 0.106 and 0.086 ms with this set (the rest went
 * to polls that scanned every ring, see {@code EngineLoop#scanRings}). An epoll set is registered once and hands back
 * only what is ready; {@code epoll_pwait2} takes its timeout in nanoseconds. Waiting allocates nothing, since the loops
 * call it once per burst; only {@link #rebuild} does, when the set of members changes. Used by the loop thread only, so
 * it needs no locks.
 */
final class PollSet<T> implements AutoCloseable {
    /** {@code struct epoll_event}: u32 events, u64 data; packed on x86-64 only. */
    private static final boolean PACKED = "amd64".equals(System.getProperty("os.arch"));
    private static final int EVENT_BYTES = PACKED ? 12 : 16;
    private static final int DATA_OFFSET = PACKED ? 4 : 8;
    /** {@code struct pollfd}, for {@link #awaitMailbox}: int fd, short events, short revents. */
    private static final int POLLFD_BYTES = 8;
    private static final int POLLFD_EVENTS = 4;
    private static final int POLLFD_REVENTS = 6;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** The mailbox's tag in an event's data; member {@code i} is tagged {@code i + 1}. */
    private static final int MAILBOX = 0;

    private final LoopMailbox mailbox;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment timespec = arena.allocate(16, 8);
    private final MemorySegment mailboxPollFd = arena.allocate(POLLFD_BYTES, 8);
    private final MemorySegment request = arena.allocate(16, 8);
    private int epollFd = -1;
    private MemorySegment events = MemorySegment.NULL;
    private int capacity;
    private List<T> members = List.of();
    private int[] fds = new int[0];

    PollSet(LoopMailbox mailbox) {
        this.mailbox = mailbox;
        mailboxPollFd.set(ValueLayout.JAVA_INT, 0, mailbox.fd());
        mailboxPollFd.set(ValueLayout.JAVA_SHORT, POLLFD_EVENTS, Native.POLLIN);
        rebuild(List.of(), member -> -1);
    }

    /**
     * Polls {@code members} from now on, each on {@code fd(member)}, all for readability, in a new epoll set (a
     * closed member's descriptor number may be taken by a new member's; a fresh set cannot mistake the two). Safe
     * in a command run by {@link #await}: that wait still hands out the members it polled.
     */
    void rebuild(List<? extends T> members, ToIntFunction<? super T> fd) {
        List<T> list = List.copyOf(members);
        int[] memberFds = list.stream().mapToInt(fd).toArray();
        int set = Native.epollCreate();
        try {
            register(set, Native.EPOLL_CTL_ADD, mailbox.fd(), MAILBOX, true);
            for (int i = 0; i < memberFds.length; i++) {
                register(set, Native.EPOLL_CTL_ADD, memberFds[i], i + 1, true);
            }
        } catch (RuntimeException e) {
            NativeCalls.close(set);
            throw e;
        }
        if (epollFd >= 0) {
            NativeCalls.close(epollFd);
        }
        epollFd = set;
        this.members = list;
        fds = memberFds;
        if (list.size() + 1 > capacity) {
            capacity = list.size() + 1;
            events = arena.allocate((long) capacity * EVENT_BYTES, 8);
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
        register(epollFd, Native.EPOLL_CTL_MOD, fds[i], i + 1, listening);
    }

    private void register(int set, int op, int fd, int tag, boolean listening) {
        request.set(ValueLayout.JAVA_INT, 0, listening ? Native.EPOLLIN : 0);
        request.set(ValueLayout.JAVA_LONG_UNALIGNED, DATA_OFFSET, tag);
        int rc = Native.epollCtl(set, op, fd, request);
        if (rc < 0) {
            throw new IllegalStateException("epoll_ctl on descriptor " + fd + ": " + NativeCalls.strerror(-rc));
        }
    }

    /**
     * Waits at most {@code timeoutNanos} ({@link Long#MAX_VALUE}: until something is ready) for the mailbox or a
     * member; runs the mailbox's commands if it was woken, then hands each ready member to {@code onReady}, in
     * the order the kernel found them ready. A timeout or a signal returns without either. Returns how many
     * descriptors were ready (0 for none).
     */
    int await(long timeoutNanos, Consumer<? super T> onReady) {
        // A command run below may rebuild the set; the answers belong to the members polled now.
        MemorySegment ready = events;
        int room = capacity;
        List<T> polled = members;
        // Forever as a timeout of 292 years (the kernel saturates it and arms no timer) rather than no timeout: a
        // warm-up never waits forever, and C2 compiled the branch to a null timeout as a trap that the first
        // real idle wait sprang, throwing the compiled loop away.
        int count = Native.epollWait(epollFd, ready, room, timeout(timeoutNanos));
        if (count == -Native.EINTR || count == 0) {
            return 0;
        }
        if (count < 0) {
            throw new IllegalStateException("epoll_pwait2: " + NativeCalls.strerror(-count));
        }
        for (int k = 0; k < count; k++) {
            if (tag(ready, k) == MAILBOX) {
                mailbox.runCommands(true);
            }
        }
        for (int k = 0; k < count; k++) {
            int tag = tag(ready, k);
            if (tag != MAILBOX) {
                onReady.accept(polled.get(tag - 1));
            }
        }
        return count;
    }

    /**
     * Waits at most {@code timeoutNanos} for the mailbox only, leaving the members' data waiting (a busy loop
     * that reads its rings on a timer instead of being woken per frame); runs the mailbox's commands if woken.
     */
    void awaitMailbox(long timeoutNanos) {
        int ready = Native.ppoll(mailboxPollFd, 1, timeout(timeoutNanos));
        if (ready < 0 && ready != -Native.EINTR) {
            throw new IllegalStateException("ppoll: " + NativeCalls.strerror(-ready));
        }
        if (ready > 0 && mailboxPollFd.get(ValueLayout.JAVA_SHORT, POLLFD_REVENTS) != 0) {
            mailbox.runCommands(true);
        }
    }

    private MemorySegment timeout(long nanos) {
        timespec.set(ValueLayout.JAVA_LONG, 0, nanos / NANOS_PER_SECOND);
        timespec.set(ValueLayout.JAVA_LONG, 8, nanos % NANOS_PER_SECOND);
        return timespec;
    }

    private static int tag(MemorySegment events, int k) {
        return (int) events.get(ValueLayout.JAVA_LONG_UNALIGNED, (long) k * EVENT_BYTES + DATA_OFFSET);
    }

    /** After the loop thread has ended. */
    @Override
    public void close() {
        if (epollFd >= 0) {
            NativeCalls.close(epollFd);
            epollFd = -1;
        }
        arena.close();
    }
}
