package net.mignet.kernel;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One emulation found on this machine, from its namespaces and its state directory, and whether its owner lives.
 *
 * @param namespaces its network namespaces, the fabric's included
 */
public record EmulationRecord(EmulationId id, Optional<EmulationOwner> owner, List<String> namespaces, boolean built,
        State state) {

    public enum State {
        /** The owner lives and has built the whole network. */
        RUNNING("running"),
        /** The owner lives and is still building (or failed and is removing it). */
        BUILDING("building"),
        /** The owner is gone; the network was complete. */
        ORPHANED("orphaned"),
        /** The owner is gone (or never recorded) and the network was never complete. */
        HALF_BUILT("half-built");

        private final String label;

        State(String label) {
            this.label = label;
        }

        public boolean ownerAlive() {
            return this == RUNNING || this == BUILDING;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /** Every emulation with a namespace or a state directory on this machine, by id. */
    public static List<EmulationRecord> all() {
        Map<String, List<String>> namespaces = new TreeMap<>();
        for (String ns : NetnsPaths.list()) {
            EmulationId id = EmulationId.ofNamespace(ns);
            if (id != null) {
                namespaces.computeIfAbsent(id.value(), k -> new ArrayList<>()).add(ns);
            }
        }
        Cleaner.stateDirectories().forEach(d -> namespaces.putIfAbsent(d, new ArrayList<>()));
        List<EmulationRecord> records = new ArrayList<>();
        namespaces.forEach((id, list) -> records.add(of(new EmulationId(id), list)));
        return records;
    }

    /** The record of one emulation, whether or not anything of it exists. */
    public static EmulationRecord of(EmulationId id) {
        return of(id, NetnsPaths.list().stream().filter(ns -> ns.startsWith(id.namespacePrefix())).toList());
    }

    private static EmulationRecord of(EmulationId id, List<String> namespaces) {
        Optional<EmulationOwner> owner = EmulationOwner.of(id);
        boolean built = EmulationOwner.isBuilt(id);
        boolean alive = owner.map(o -> o.isAlive(id)).orElseGet(() -> OwnerLock.isHeld(id).orElse(false));
        State state = alive ? (built ? State.RUNNING : State.BUILDING) : (built ? State.ORPHANED : State.HALF_BUILT);
        return new EmulationRecord(id, owner, List.copyOf(namespaces), built, state);
    }

    /** Whether anything of it exists: a namespace or a state directory. */
    public boolean exists() {
        return !namespaces.isEmpty() || java.nio.file.Files.isDirectory(id.stateDirectory());
    }

    public int hostCount() {
        return (int) namespaces.stream().filter(ns -> !ns.equals(id.fabricNamespace())).count();
    }

    public Optional<Duration> age() {
        return owner.map(o -> Duration.between(o.created(), Instant.now()));
    }
}
