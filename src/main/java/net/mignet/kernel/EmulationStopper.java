package net.mignet.kernel;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Removes an emulation whose owner still runs: the owner is told who asks (a note in its state directory) and
 * sent SIGTERM, on which it tears its network down and exits; whatever it left is removed afterwards. Taking the
 * network from under a live owner instead would leave its shell running against namespaces that are gone.
 */
public final class EmulationStopper {
    private EmulationStopper() {
    }

    /** How the owner went; {@code cleanup} is what was left after it and removed here. */
    public record Outcome(EmulationId id, Optional<Long> ownerPid, boolean ownerExited, boolean ownerKilled,
            Duration waited, Cleaner.Report cleanup) {
    }

    /**
     * Stops the owner of {@code id} (if it lives), waiting up to {@code grace} for it to exit before SIGKILL,
     * then removes what is left.
     */
    public static Outcome stop(EmulationId id, String requestedBy, Duration grace, Consumer<String> log) {
        EmulationRecord record = EmulationRecord.of(id);
        Optional<ProcessIdentity> owner = record.state().ownerAlive()
                ? record.owner().map(EmulationOwner::process) : Optional.empty();
        if (owner.isPresent() && !owner.get().isVisible()) {
            throw new IllegalStateException("the owner of " + id + " (pid " + owner.get().pid() + " of another pid"
                    + " namespace) is alive and cannot be signalled from here: stop it where it runs");
        }
        long t0 = System.nanoTime();
        boolean exited = false;
        boolean killed = false;
        if (owner.isPresent()) {
            long pid = owner.get().pid();
            if (pid == ProcessHandle.current().pid()) {
                throw new IllegalArgumentException("emulation " + id + " belongs to this process: close it instead");
            }
            EmulationOwner.requestStop(id, requestedBy);
            log.accept("*** Asking the owner of " + id + " (pid " + pid + ") to stop (SIGTERM)");
            Signals.send(pid, ProcessGroups.SIGTERM);
            exited = awaitExit(id, owner.get(), grace);
            if (!exited) {
                log.accept("*** The owner (pid " + pid + ") did not exit within " + grace.toSeconds()
                        + " s; killing it (SIGKILL)");
                if (ownerAlive(id, owner.get())) {
                    Signals.send(pid, ProcessGroups.SIGKILL);
                }
                killed = awaitExit(id, owner.get(), Duration.ofSeconds(5));
            }
        }
        Duration waited = Duration.ofNanos(System.nanoTime() - t0);
        Cleaner.Report cleanup = Cleaner.removeEmulation(id, log);
        return new Outcome(id, owner.map(ProcessIdentity::pid), exited, killed, waited, cleanup);
    }

    private static boolean ownerAlive(EmulationId id, ProcessIdentity process) {
        return OwnerLock.isHeld(id).orElseGet(process::isAlive) && process.isAlive();
    }

    private static boolean awaitExit(EmulationId id, ProcessIdentity process, Duration timeout) {
        Optional<ProcessHandle> handle = ProcessHandle.of(process.pid());
        if (handle.isEmpty() || !ownerAlive(id, process)) {
            return true;
        }
        try {
            handle.get().onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            return !ownerAlive(id, process);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !ownerAlive(id, process);
        }
    }
}
