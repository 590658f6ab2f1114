package net.mignet.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Removes what emulations left behind, like Mininet's {@code mn -c}: processes in their namespaces, the
 * namespaces (which takes their interfaces, bridges and nftables rules with them), their cgroups, the machine-wide
 * sysctls their migrations raised (put back) and their state directories. Works from names and the state
 * directories alone, so it also cleans up after {@code kill -9} or a half-built setup.
 */
public final class Cleaner {
    private Cleaner() {
    }

    /** What a clean-up removed. */
    public record Report(Set<String> emulations, List<String> namespaces, List<NamespaceProcesses.Member> killed,
            List<Path> cgroups) {
        public boolean isEmpty() {
            return emulations.isEmpty() && namespaces.isEmpty() && killed.isEmpty() && cgroups.isEmpty();
        }
    }

    /** Removes everything of every mignet emulation on this machine, live or not: stop live owners first. */
    public static Report cleanAll(Consumer<String> log) {
        List<String> namespaces = NetnsPaths.list().stream()
                .filter(ns -> EmulationId.ofNamespace(ns) != null).toList();
        Set<String> emulations = new TreeSet<>(stateDirectories());
        namespaces.forEach(ns -> emulations.add(EmulationId.ofNamespace(ns).value()));
        HostCgroup.leftovers().keySet().forEach(id -> emulations.add(id.value()));
        return remove(namespaces, emulations, log);
    }

    /**
     * Removes the emulations whose owner process is gone (orphaned or half-built), and nothing of a live one:
     * its owner would go on with a network taken from under it. Cgroups of an emulation of which nothing else is
     * left (an earlier clean that could not find them) count as orphans too.
     */
    public static Report cleanOrphans(Consumer<String> log) {
        List<EmulationRecord> orphans = new ArrayList<>(EmulationRecord.all().stream()
                .filter(r -> !r.state().ownerAlive()).toList());
        Set<EmulationId> known = new HashSet<>(orphans.stream().map(EmulationRecord::id).toList());
        for (EmulationId id : HostCgroup.leftovers().keySet()) {
            EmulationRecord r = EmulationRecord.of(id);
            if (!known.contains(id) && !r.state().ownerAlive()) {
                orphans.add(r);
            }
        }
        List<String> namespaces = orphans.stream().flatMap(r -> r.namespaces().stream()).toList();
        Set<String> emulations = new TreeSet<>(orphans.stream().map(r -> r.id().value()).toList());
        return remove(namespaces, emulations, log);
    }

    /** Removes everything of one emulation. */
    public static Report removeEmulation(EmulationId id, Consumer<String> log) {
        List<String> namespaces = NetnsPaths.list().stream()
                .filter(ns -> ns.startsWith(id.namespacePrefix())).toList();
        return remove(namespaces, new TreeSet<>(Set.of(id.value())), log);
    }

    /**
     * Ids of emulations with a state directory, whether or not their namespaces still exist. Other files under
     * {@code /run/mignet} (such as mignet's own error log) are not emulations.
     */
    public static List<String> stateDirectories() {
        Path root = EmulationId.stateRoot();
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(EmulationId::isValid).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static void deleteNamespace(String ns, Consumer<String> log) {
        for (int attempt = 1; ; attempt++) {
            try {
                Command.check(List.of("ip", "netns", "del", ns));
                return;
            } catch (RuntimeException e) {
                if (!NetnsPaths.exists(ns)) {
                    return;
                }
                if (attempt == 2) {
                    log.accept("!!! could not remove namespace " + ns + ": " + e.getMessage()
                            + " (mignet clean tries again)");
                    return;
                }
            }
        }
    }

    private static Report remove(List<String> namespaces, Set<String> emulations, Consumer<String> log) {
        // A frozen process cannot die, not even of SIGKILL: frozen hosts are thawed first.
        emulations.forEach(e -> FreezerCgroup.removeAll(EmulationId.NAMESPACE_PREFIX + e + "."));
        List<NamespaceProcesses.Member> members = NamespaceProcesses.in(namespaces);
        List<NamespaceProcesses.Member> killed = new ArrayList<>();
        for (NamespaceProcesses.Member m : members) {
            ProcessHandle.of(m.pid()).ifPresent(h -> {
                if (h.destroyForcibly()) {
                    killed.add(m);
                }
            });
        }
        for (NamespaceProcesses.Member m : killed) {
            ProcessHandle.of(m.pid()).ifPresent(h -> {
                try {
                    h.onExit().get(2, TimeUnit.SECONDS);
                } catch (Exception e) {
                    log.accept("process " + m.pid() + " did not exit within 2 s of SIGKILL");
                }
            });
        }
        if (!namespaces.isEmpty()) {
            if (namespaces.size() > 50) {
                log.accept("*** Removing " + namespaces.size() + " network namespaces");
            }
            IpBatch batch = IpBatch.ip();
            // The fabric goes last-but-not-least: order does not matter to the kernel, deleting all does.
            namespaces.stream().sorted(Comparator.reverseOrder()).forEach(ns -> batch.add("netns", "del", ns));
            try {
                batch.run();
            } catch (RuntimeException e) {
                // Someone else removed one meanwhile, or a signal killed ip (a second Ctrl-C without a terminal of
                // mignet's own): delete the rest one by one, each failure said, none stopping the others.
                namespaces.stream().filter(NetnsPaths::exists).forEach(ns -> deleteNamespace(ns, log));
            }
        }
        // Counted by what is gone, not by what was tried: a refused 'ip netns del' must not read as removed.
        List<String> left = namespaces.stream().filter(NetnsPaths::exists).toList();
        int removed = 0;
        List<Path> cgroups = new ArrayList<>();
        for (String emulation : emulations) {
            try {
                cgroups.addAll(HostCgroup.removeAll(EmulationId.NAMESPACE_PREFIX + emulation + "."));
            } catch (IllegalStateException e) {
                log.accept("!!! " + e.getMessage());
            }
            try {
                // After the kills above: criu's lazy page servers that needed the raised sysctls are gone.
                SysctlClaims.system().release(new EmulationId(emulation), emulations, log);
            } catch (RuntimeException e) {
                log.accept("!!! " + e.getMessage() + " (mignet clean tries again)");
                continue; // the state directory keeps the record of what to put back
            }
            if (left.stream().anyMatch(ns -> ns.startsWith(EmulationId.NAMESPACE_PREFIX + emulation + "."))) {
                continue; // the state directory keeps it listed, for mignet clean to try again
            }
            Path dir = EmulationId.stateRoot().resolve(emulation);
            OwnerLock.release(new EmulationId(emulation));
            if (Files.exists(dir)) {
                FileTrees.delete(dir);
                removed++;
            }
        }
        // An emulation of which nothing existed any more (its owner removed it meanwhile) was not removed here.
        boolean nothing = removed == 0 && namespaces.isEmpty() && cgroups.isEmpty();
        List<String> gone = namespaces.stream().filter(ns -> !left.contains(ns)).toList();
        return new Report(nothing ? new TreeSet<>() : emulations, gone, killed, cgroups);
    }

}
