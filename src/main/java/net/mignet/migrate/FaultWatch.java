package net.mignet.migrate;

import net.mignet.net.Emulation;
import net.mignet.net.Faults;
import net.mignet.net.Host;
import net.mignet.net.HostFault;

/**
 * Ends a migration, with the reason, when its source or target host crashes or freezes before the point of no
 * return. A crash kills the processes the migration waits for, which ends the wait at once; a freeze leaves them
 * silent, so the watch interrupts the migrating thread, which wakes whatever it waits for (an app's event, a
 * command), and the migration rolls back instead of waiting out its timeouts on a host that will never answer.
 * A fault that nothing noticed fails the migration at its point of no return. The interrupt is this watch's to
 * consume ({@link #consumeInterrupt()}), never left to the caller.
 */
final class FaultWatch implements AutoCloseable {
    private final Thread migrating = Thread.currentThread();
    private final String from;
    private final String target;
    private final Faults.Subscription subscription;
    private HostFault fault;
    private boolean armed = true;
    private boolean interrupted;

    private FaultWatch(Emulation net, String from, String target) {
        this.from = from;
        this.target = target;
        this.subscription = net.faults().listen(this::heard);
    }

    /** Watches {@code from} and {@code target} for the calling thread's migration. */
    static FaultWatch start(Emulation net, Host from, Host target) {
        return new FaultWatch(net, from.name(), target.name());
    }

    private synchronized void heard(HostFault f) {
        if (armed && fault == null && (f.host().equals(from) || f.host().equals(target))
                && (f.kind() == HostFault.Kind.CRASHED || f.kind() == HostFault.Kind.FROZEN)) {
            fault = f;
            if (f.kind() == HostFault.Kind.FROZEN) {
                // A crash ends what the migration waits for by itself (its processes die); a frozen host's
                // processes would keep it waiting until its timeouts.
                interrupted = true;
                migrating.interrupt();
            }
        }
    }

    /**
     * The strategy is about to make its steps permanent: from here on a fault no longer interrupts it; one that
     * came before (and whose interrupt nothing has noticed yet) fails the migration now, while it can still roll
     * back.
     */
    synchronized void pointOfNoReturn() {
        armed = false;
        if (fault != null) {
            consumeInterrupt();
            throw new IllegalStateException(reason());
        }
    }

    /** Why the migration ended, when a fault ended it, e.g. {@code target h3 crashed during the migration}. */
    synchronized String reason() {
        if (fault == null) {
            return null;
        }
        return (fault.host().equals(target) ? "target " : "source ") + fault.host() + " "
                + fault.kind().condition().word() + " during the migration (" + fault.describe() + ")";
    }

    /** Clears the interrupt this watch caused, so the rollback and the caller run undisturbed. */
    synchronized void consumeInterrupt() {
        if (interrupted && Thread.currentThread() == migrating) {
            Thread.interrupted();
            interrupted = false;
        }
    }

    @Override
    public void close() {
        subscription.close();
        synchronized (this) {
            armed = false;
        }
    }
}
