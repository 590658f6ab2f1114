package net.mignet.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Removes what emulations left behind, like Mininet's {@code mn -c}: processes in their namespaces, the
 * namespaces (which takes their interfaces, bridges and nftables rules with them) and their state
 * directories. Works from names alone, so it also cleans up after {@code kill -9} or a half-built setup.
 */
public final class Cleaner {
    private Cleaner() {
    }

    /** What a clean-up removed. */
    public record Report(Set<String> emulations, List<String> namespaces, List<NamespaceProcesses.Member> killed) {
        public boolean isEmpty() {
            return emulations.isEmpty() && namespaces.isEmpty() && killed.isEmpty();
        }
    }

    /** Removes everything of every mignet emulation on this machine. */
    public static Report cleanAll(Consumer<String> log) {
        List<String> namespaces = NetnsPaths.list().stream()
                .filter(ns -> EmulationId.ofNamespace(ns) != null).toList();
        Set<String> emulations = new TreeSet<>(stateDirectories());
        namespaces.forEach(ns -> emulations.add(EmulationId.ofNamespace(ns).value()));
        return remove(namespaces, emulations, log);
    }

    /** Removes everything of one emulation. */
    public static Report removeEmulation(EmulationId id, Consumer<String> log) {
        List<String> namespaces = NetnsPaths.list().stream()
                .filter(ns -> ns.startsWith(id.namespacePrefix())).toList();
        return remove(namespaces, new TreeSet<>(Set.of(id.value())), log);
    }

    /** Ids of emulations that recorded an owner, whether or not their namespaces still exist. */
    public static List<String> stateDirectories() {
        Path root = EmulationId.stateRoot();
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The pid recorded as owner of an emulation, if any. */
    public static Optional<Long> ownerOf(EmulationId id) {
        try {
            String text = Files.readString(id.stateDirectory().resolve("owner"));
            return Optional.of(Long.parseLong(text.lines().findFirst().orElse("").trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
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
            } catch (CommandException e) {
                // Someone else removed one meanwhile; delete the rest one by one and report real failures.
                for (String ns : namespaces) {
                    if (NetnsPaths.exists(ns)) {
                        Command.check(List.of("ip", "netns", "del", ns));
                    }
                }
            }
        }
        for (String emulation : emulations) {
            FileTrees.delete(EmulationId.stateRoot().resolve(emulation));
        }
        return new Report(emulations, namespaces, killed);
    }

}
