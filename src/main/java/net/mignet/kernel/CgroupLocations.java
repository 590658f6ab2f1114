package net.mignet.kernel;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Where mignet's host cgroups ({@code mignet.<id>.<host>}) are. In v1 they are made under the cgroup of the process
 * that made them ({@link CgroupMounts.Hierarchy#parentForOurs}), which a {@code mignet clean} run from another
 * cgroup does not share. So the parents are recorded in the emulation's state directory as they are used, and each
 * hierarchy is searched to a bounded depth for directories of that name, which also finds the cgroups of an
 * emulation whose state directory is gone.
 */
final class CgroupLocations {
    /** The file in an emulation's state directory that lists the directories its host cgroups were made in. */
    static final String RECORD = "cgroup-parents";
    /**
     * How many levels below a hierarchy's root are searched: confinements such as systemd's slices or a CI runner's
     * cgroups nest a few levels (these machines: {@code memory/process_api/<hash>}); deeper ones are found by the
     * record.
     */
    static final int SEARCH_DEPTH = 8;

    private CgroupLocations() {
    }

    /**
     * Adds {@code parents} to the record in {@code stateDirectory}, before cgroups are made in them; nothing is
     * recorded without a state directory (a cgroup made outside an emulation, as in tests).
     */
    static synchronized void record(Path stateDirectory, Collection<Path> parents) {
        if (!Files.isDirectory(stateDirectory)) {
            return;
        }
        Path file = stateDirectory.resolve(RECORD);
        Set<Path> known = new LinkedHashSet<>(recorded(stateDirectory));
        StringBuilder added = new StringBuilder();
        for (Path p : parents) {
            if (known.add(p)) {
                added.append(p).append('\n');
            }
        }
        if (added.isEmpty()) {
            return;
        }
        try {
            Files.writeString(file, added, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IllegalStateException("cannot record cgroup locations in " + file + " (mignet clean needs"
                    + " them after a crash): " + e.getMessage(), e);
        }
    }

    /** The parents recorded in {@code stateDirectory}, none when there is no record. */
    static List<Path> recorded(Path stateDirectory) {
        try {
            return Files.readAllLines(stateDirectory.resolve(RECORD)).stream().map(String::strip)
                    .filter(l -> l.startsWith("/")).map(Path::of).distinct().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * The cgroups named {@code prefix...} in the directories {@code parents} and anywhere in the hierarchies at
     * {@code roots} down to {@link #SEARCH_DEPTH}.
     */
    static List<Path> named(String prefix, Collection<Path> roots, Collection<Path> parents) {
        Set<Path> found = new LinkedHashSet<>(search(roots, n -> n.startsWith(prefix)));
        for (Path parent : parents) {
            for (Path child : subdirectories(parent)) {
                if (child.getFileName().toString().startsWith(prefix)) {
                    found.add(child);
                }
            }
        }
        return List.copyOf(found);
    }

    /** Every cgroup of mignet's in the hierarchies at {@code roots} (to {@link #SEARCH_DEPTH}), by emulation. */
    static Map<EmulationId, List<Path>> byEmulation(Collection<Path> roots) {
        Map<EmulationId, List<Path>> found = new TreeMap<>(Comparator.comparing(EmulationId::value));
        for (Path dir : search(roots, n -> EmulationId.ofNamespace(n) != null)) {
            found.computeIfAbsent(EmulationId.ofNamespace(dir.getFileName().toString()), k -> new ArrayList<>())
                    .add(dir);
        }
        return found;
    }

    /**
     * Directories whose name {@code ours} accepts, breadth first below each root; never below a mignet cgroup (it
     * holds only its own leaf and app cgroups), so one host's cgroup is never taken for the parent of another's.
     */
    private static List<Path> search(Collection<Path> roots, Predicate<String> ours) {
        Set<Path> found = new LinkedHashSet<>();
        for (Path root : new LinkedHashSet<>(roots)) {
            Deque<Path> level = new ArrayDeque<>(List.of(root));
            for (int depth = 0; depth <= SEARCH_DEPTH && !level.isEmpty(); depth++) {
                Deque<Path> next = new ArrayDeque<>();
                for (Path dir : level) {
                    for (Path child : subdirectories(dir)) {
                        String name = child.getFileName().toString();
                        if (name.startsWith(EmulationId.NAMESPACE_PREFIX)) {
                            if (ours.test(name)) {
                                found.add(child);
                            }
                        } else {
                            next.add(child);
                        }
                    }
                }
                level = next;
            }
        }
        return List.copyOf(found);
    }

    /** The directories in {@code dir}; none when it is gone. */
    static List<Path> subdirectories(Path dir) {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir, Files::isDirectory)) {
            children.forEach(found::add);
        } catch (IOException e) {
            // Gone, or never there.
        }
        return found;
    }
}
