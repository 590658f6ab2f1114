package net.mignet.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Machine-wide sysctls raised for emulations, shared between them and put back after a crash.
 *
 * <p>Each raise is recorded as a {@link SysctlClaim} in the emulation's state directory before the sysctl is
 * written, so {@code mignet clean} can put the machine's value back when it removes an emulation whose owner was
 * killed. Several emulations (or several migrations of one) may need the same sysctl at once; the rules:
 * <ul>
 * <li>The machine's own value is the first raiser's. A later raiser that finds the sysctl at a value a claim set
 * (live or left by a killed owner) takes that claim's original, never the raised value, as the machine's.</li>
 * <li>It goes back only when no claim of a live owner is left: the last one out (a migration ending, or {@code
 * clean} removing an orphan) puts it back; before that, it stays raised for those who still need it. Claims of dead
 * owners hold nothing up: their processes are gone or being killed.</li>
 * <li>It goes back only if it still has the value mignet set: one changed meanwhile (by an administrator) is left
 * as it is, saying so.</li>
 * </ul>
 * Everything happens under a machine-wide lock ({@code /run/mignet/sysctl.lock}), so two owners never both take
 * the other's raised value for the machine's.
 */
public final class SysctlClaims {
    private static final String LOCK = "sysctl.lock";
    /** File locks are per process: threads of this one take turns first. */
    private static final Object IN_PROCESS = new Object();
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private final Path stateRoot;
    private final Predicate<EmulationId> ownerAlive;

    /**
     * @param stateRoot  where emulations' state directories are
     * @param ownerAlive whether an emulation's owner lives (its claims then hold the sysctl up)
     */
    public SysctlClaims(Path stateRoot, Predicate<EmulationId> ownerAlive) {
        this.stateRoot = stateRoot;
        this.ownerAlive = ownerAlive;
    }

    /** This machine's, under {@code /run/mignet}. */
    public static SysctlClaims system() {
        return new SysctlClaims(EmulationId.stateRoot(), id -> EmulationRecord.of(id).state().ownerAlive());
    }

    /** A raise in force for one migration of one emulation, until closed. */
    public final class Hold implements AutoCloseable {
        private final SysctlClaim claim;
        private final boolean wrote;
        private final Consumer<String> log;
        private boolean closed;

        private Hold(SysctlClaim claim, boolean wrote, Consumer<String> log) {
            this.claim = claim;
            this.wrote = wrote;
            this.log = log;
        }

        /** The machine's own value (before any emulation raised it). */
        public long original() {
            return claim.original();
        }

        /** Whether this hold wrote the sysctl (else another emulation's raise, still in force, suffices). */
        public boolean wrote() {
            return wrote;
        }

        /** Lets the sysctl go back, unless another live emulation still needs it; says what it did. */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            String what = locked(() -> {
                delete(claim.file());
                return putBack(claim, Set.of());
            });
            if (what != null) {
                log.accept(what);
            }
        }
    }

    /**
     * Raises {@code sysctl} to at least {@code value} for emulation {@code owner} (whose state directory must
     * exist) until the hold is closed; empty when the machine's own value is that high already (nothing to put
     * back). Closing the hold logs what became of the sysctl.
     */
    public Optional<Hold> raise(EmulationId owner, Path sysctl, long value, Consumer<String> log) {
        return locked(() -> {
            long current = SysctlFloor.read(sysctl);
            Optional<SysctlClaim> inForce = claims(sysctl).stream().filter(c -> c.raised() == current).findFirst();
            if (current >= value && inForce.isEmpty()) {
                return Optional.empty();
            }
            long original = inForce.map(SysctlClaim::original).orElse(current);
            Path file = stateRoot.resolve(owner.value()).resolve(SysctlClaim.DIRECTORY)
                    .resolve(ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet());
            SysctlClaim claim = new SysctlClaim(file, owner, sysctl, original, Math.max(current, value));
            try {
                claim.write();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot record the raise of " + claim.name() + " in " + file
                        + " (without the record, mignet clean could not put it back after a crash): "
                        + e.getMessage(), e);
            }
            if (current < value) {
                try {
                    SysctlFloor.write(sysctl, value);
                } catch (RuntimeException e) {
                    delete(file);
                    throw e;
                }
            }
            return Optional.of(new Hold(claim, current < value, log));
        });
    }

    /**
     * Drops the claims of {@code emulation} (being removed, with the others in {@code removing}) and puts each
     * sysctl they raised back, unless an emulation not being removed still needs it; says what it did.
     */
    public void release(EmulationId emulation, Set<String> removing, Consumer<String> log) {
        Path dir = stateRoot.resolve(emulation.value()).resolve(SysctlClaim.DIRECTORY);
        if (!Files.isDirectory(dir)) {
            return;
        }
        locked(() -> {
            Map<Path, List<SysctlClaim>> bySysctl = new LinkedHashMap<>();
            for (SysctlClaim c : claimsIn(dir, emulation)) {
                bySysctl.computeIfAbsent(c.sysctl(), k -> new ArrayList<>()).add(c);
            }
            bySysctl.forEach((sysctl, mine) -> {
                mine.forEach(c -> delete(c.file()));
                long current = SysctlFloor.read(sysctl);
                // Several migrations of one emulation: the one whose value is in force tells what to put back.
                SysctlClaim c = mine.stream().filter(m -> m.raised() == current).findFirst().orElse(mine.getFirst());
                String what = putBack(c, removing);
                if (what != null) {
                    log.accept("*** " + what);
                }
            });
            return null;
        });
    }

    /**
     * After {@code done}'s claim is gone: puts its sysctl back to the machine's value when no live owner (but those
     * in {@code removing}) claims it and it still has the value mignet set. Returns what it did, or null when there
     * was nothing to do.
     */
    private String putBack(SysctlClaim done, Set<String> removing) {
        List<SysctlClaim> others = claims(done.sysctl());
        Set<String> needing = new TreeSet<>();
        for (SysctlClaim c : others) {
            if (!removing.contains(c.owner().value()) && ownerAlive.test(c.owner())) {
                needing.add(c.owner().value());
            }
        }
        long current = SysctlFloor.read(done.sysctl());
        if (!needing.isEmpty()) {
            return "left " + done.name() + " at " + current + ": emulation(s) " + String.join(", ", needing)
                    + " still migrate with it; it goes back to " + done.original() + " when they are done";
        }
        if (current == done.original()) {
            return null;
        }
        if (current != done.raised()) {
            return "left " + done.name() + " at " + current + ": mignet set it to " + done.raised() + " (from "
                    + done.original() + "), someone changed it since";
        }
        SysctlFloor.write(done.sysctl(), done.original());
        // What killed owners left is answered now: the machine's value is back, nothing to remember.
        others.forEach(c -> delete(c.file()));
        return "put " + done.name() + " back to " + done.original() + " (raised to " + done.raised()
                + " for a migration of " + done.owner() + ")";
    }

    /** Every readable claim on {@code sysctl}, of every emulation on this machine. */
    List<SysctlClaim> claims(Path sysctl) {
        List<SysctlClaim> found = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(stateRoot, Files::isDirectory)) {
            for (Path d : dirs) {
                String id = d.getFileName().toString();
                if (EmulationId.isValid(id)) {
                    claimsIn(d.resolve(SysctlClaim.DIRECTORY), new EmulationId(id)).stream()
                            .filter(c -> c.sysctl().equals(sysctl)).forEach(found::add);
                }
            }
        } catch (IOException e) {
            // No state root: no claims.
        }
        return found;
    }

    private static List<SysctlClaim> claimsIn(Path dir, EmulationId owner) {
        List<SysctlClaim> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                if (!f.getFileName().toString().endsWith(".partial")) {
                    SysctlClaim.read(f, owner).ifPresent(found::add);
                }
            }
        } catch (IOException e) {
            // None recorded.
        }
        return found;
    }

    private <T> T locked(Supplier<T> action) {
        synchronized (IN_PROCESS) {
            try {
                Files.createDirectories(stateRoot);
                try (FileChannel channel = FileChannel.open(stateRoot.resolve(LOCK), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
                    return action.get();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot lock " + stateRoot.resolve(LOCK) + ": " + e.getMessage(), e);
            }
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + file + ": " + e.getMessage(), e);
        }
    }
}
