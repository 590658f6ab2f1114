package net.mignet.app;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import net.mignet.kernel.OrphanReaper;
import net.mignet.kernel.ProcessTree;

/**
 * The processes an app started, which can outlive it: a shell script's {@code sleep}, a server's workers. mignet
 * starts every app leading a session of its own, and its children stay in that session after their parent has
 * gone and the init has adopted them, where the app's process tree no longer finds them. Stopping an app ends
 * them too, as closing a terminal ends what ran in it; left running, a load generator or server of one
 * experiment's run went on into the next.
 */
final class AppSession {
    private static final Duration LAST_GRACE = Duration.ofSeconds(2);
    private static final Duration POLL = Duration.ofMillis(10);
    private final long sid;

    private AppSession(long sid) {
        this.sid = sid;
    }

    /**
     * The session {@code pid} leads or will lead (an app with pipes calls setsid(2) just after it started), or empty
     * for mignet's own session, whose members must never be ended with an app. A session's id is the pid of the
     * process that made it, so whatever is in session {@code pid} descends from the app.
     */
    static Optional<AppSession> ledBy(long pid) {
        OptionalLong own = ProcessTree.sessionOf(ProcessHandle.current().pid());
        return own.isPresent() && own.getAsLong() == pid ? Optional.empty() : Optional.of(new AppSession(pid));
    }

    /**
     * Ends what is left of the session once its leader has ended: SIGTERM to each, SIGKILL to those still there
     * {@link #LAST_GRACE} later. (The session's id is not given to a new process while any of its members lives, so
     * nothing outside it is signalled.)
     */
    void endTheRest() throws InterruptedException {
        List<ProcessHandle> rest = others();
        if (rest.isEmpty()) {
            return;
        }
        rest.forEach(ProcessHandle::destroy);
        // Polled from /proc, not awaited through the handles: an ended member stays a zombie until whoever adopted
        // it reaps it, and a zombie still counts as alive there.
        long deadline = System.nanoTime() + LAST_GRACE.toNanos();
        while (!others().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(POLL.toMillis());
        }
        others().forEach(ProcessHandle::destroyForcibly);
        // Those that ended came to mignet (OrphanReaper): reaped now, so that ps shows no zombies after a stop.
        OrphanReaper.reapOrphans();
    }

    /** The session's living members but its leader. */
    private List<ProcessHandle> others() {
        return ProcessTree.inSession(sid).stream().filter(p -> p != sid).map(ProcessHandle::of)
                .flatMap(Optional::stream).toList();
    }
}
