package net.mignet.cli;

import java.io.PrintStream;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import net.mignet.kernel.EmulationOwner;
import net.mignet.kernel.EmulationRecord;
import net.mignet.kernel.ProcessIdentity;
import sun.misc.Signal;

/**
 * SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGALRM (and SIGINT where no interactive shell takes it over) end mignet the
 * way the JVM ends on SIGTERM, through its shutdown hooks, which tear every emulation down; first they say which
 * signal came and, when {@code mignet clean} sent it, who asked. An owner stopped by {@code mignet clean} exits with status 0,
 * unless it was running an unattended experiment, whose missing verdict must not read as a pass.
 */
final class TerminationSignals {
    /** Set by the first signal: the teardown it starts is already under way when another comes. */
    private static final AtomicBoolean TERMINATING = new AtomicBoolean();
    /** An experiment's verdict is still to come: stopped now, it must not look like a pass (status 0). */
    private static volatile boolean verdictPending;

    private TerminationSignals() {
    }

    /**
     * Whether a signal's teardown is under way: what the command was doing then fails because the network went
     * (an interrupted step, a removed namespace), which is no error of its own to report.
     */
    static boolean terminating() {
        return TERMINATING.get();
    }

    /** While an unattended experiment runs: a stop asked for by {@code mignet clean} then exits non-zero too. */
    static void verdictPending(boolean pending) {
        verdictPending = pending;
    }

    static void install(PrintStream err, boolean alsoInterrupt) {
        // Also the signals whose default action ends a process without the JVM's shutdown hooks.
        for (String name : new String[] {"TERM", "HUP", "USR1", "USR2", "ALRM"}) {
            handle(name, err);
        }
        if (alsoInterrupt) {
            handle("INT", err);
        }
    }

    private static void handle(String name, PrintStream err) {
        try {
            Signal.handle(new Signal(name), signal -> terminate(signal, err));
        } catch (IllegalArgumentException e) {
            // Ignored at start (nohup) or reserved by the JVM: its own handling stays.
        }
    }

    private static void terminate(Signal signal, PrintStream err) {
        if (!TERMINATING.compareAndSet(false, true)) {
            // A second SIGTERM or SIGINT (an impatient user, a supervisor repeating itself) changes nothing: the
            // shutdown hooks are tearing down already, and System.exit here would only block.
            return;
        }
        Optional<String> requestedBy = stopRequest();
        err.println();
        boolean unfinished = verdictPending;
        err.println("mignet: SIG" + signal.getName() + requestedBy.map(by -> " from " + by).orElse("")
                + ": tearing the network down and exiting" + (unfinished ? "; the experiment ends without a verdict"
                        : ""));
        err.flush();
        // exit, not halt: the shutdown hooks remove the namespaces.
        System.exit(requestedBy.isPresent() && !unfinished ? 0 : 128 + signal.getNumber());
    }

    /** Who asked this process to stop, when it owns an emulation that {@code mignet clean} is removing. */
    private static Optional<String> stopRequest() {
        try {
            ProcessIdentity self = ProcessIdentity.current();
            return EmulationRecord.all().stream().filter(r -> r.owner().map(o -> o.process().equals(self)).orElse(false))
                    .map(r -> EmulationOwner.stopRequest(r.id())).flatMap(Optional::stream).findFirst();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
