package net.mignet.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Where each cgroup controller mignet uses lives on this machine, found the way the kernel tells it: the cgroup
 * and cgroup2 mounts of {@code /proc/self/mountinfo} (a v1 mount lists its controllers among its super options; a
 * v2 mount offers those in its root's {@code cgroup.controllers}), and this process's own cgroups from {@code
 * /proc/self/cgroup}. A controller is used in v2 where the v2 hierarchy offers it, else in the v1 hierarchy that has
 * it, else not at all (hybrid machines like these have cpu and memory in v1 only, and a v2 hierarchy without
 * controllers).
 *
 * <p>Two needs are not controllers in v2 but part of every v2 cgroup: CPU accounting ({@code cpu.stat}'s {@code
 * usage_usec}) and freezing ({@code cgroup.freeze}); they are taken from v2 only when no v1 hierarchy has them
 * ({@code cpuacct}, {@code freezer}) and the cpu controller is not in v2 either.
 *
 * @param controllers for each of {@link #USED} the machine has, its hierarchy
 * @param unified     the v2 hierarchy, if one is mounted (with or without controllers)
 */
public record CgroupMounts(Map<String, Hierarchy> controllers, Optional<Hierarchy> unified) {
    /** The controllers mignet uses; {@code cpuacct} and {@code freezer} stand for CPU accounting and freezing. */
    public static final List<String> USED = List.of("cpu", "cpuacct", "memory", "pids", "freezer");

    /**
     * One cgroup hierarchy.
     *
     * @param mount     where it is mounted
     * @param v2        whether it is the unified (v2) hierarchy
     * @param ownCgroup the directory of this process's own cgroup in it (the mount itself when unknown)
     * @param localEvents v2 mounted with {@code memory_localevents}: {@code memory.events} counts only the cgroup's
     *                  own events, not its descendants'
     */
    public record Hierarchy(Path mount, boolean v2, Path ownCgroup, boolean localEvents) {
        /**
         * Where mignet makes its cgroups in this hierarchy: in v1 under its own cgroup (a machine that confines
         * mignet confines its hosts too), in v2 under the root (v2 lets a cgroup that holds processes, such as
         * mignet's own, hand no controllers to child cgroups).
         */
        public Path parentForOurs() {
            return v2 || !Files.isDirectory(ownCgroup) ? mount : ownCgroup;
        }
    }

    public CgroupMounts {
        controllers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(controllers)); // keeps USED's order
    }

    /** This machine's, read now (cheap: a few small files). */
    public static CgroupMounts system() {
        return parse(read(Path.of("/proc/self/mountinfo")), read(Path.of("/proc/self/cgroup")),
                dir -> read(dir.resolve("cgroup.controllers")));
    }

    /**
     * From the text of {@code /proc/self/mountinfo} and {@code /proc/self/cgroup}; {@code controllersOf} reads a
     * v2 mount's {@code cgroup.controllers}.
     */
    public static CgroupMounts parse(String mountinfo, String procCgroup, Function<Path, String> controllersOf) {
        Map<String, String> ownV1 = new LinkedHashMap<>();
        String ownV2 = "/";
        for (String line : procCgroup.lines().toList()) {
            String[] f = line.split(":", 3);
            if (f.length < 3) {
                continue;
            }
            if (f[0].equals("0") && f[1].isEmpty()) {
                ownV2 = f[2];
            } else {
                for (String c : f[1].split(",")) {
                    ownV1.put(c, f[2]);
                }
            }
        }
        Map<String, Hierarchy> v1 = new LinkedHashMap<>();
        Hierarchy unified = null;
        Set<String> v2Offers = new LinkedHashSet<>();
        for (String line : mountinfo.lines().toList()) {
            Mount m = Mount.parse(line);
            if (m == null) {
                continue;
            }
            if (m.type().equals("cgroup2")) {
                if (unified == null) {
                    unified = new Hierarchy(m.point(), true, m.point(), m.superOptions().contains("memory_localevents"));
                    v2Offers.addAll(words(controllersOf.apply(m.point())));
                }
            } else if (m.type().equals("cgroup")) {
                for (String option : m.superOptions()) {
                    if (USED.contains(option) && !v1.containsKey(option)) {
                        v1.put(option, new Hierarchy(m.point(), false,
                                inside(m, ownV1.getOrDefault(option, "/")), false));
                    }
                }
            }
        }
        Map<String, Hierarchy> chosen = new LinkedHashMap<>();
        for (String c : List.of("cpu", "memory", "pids")) {
            if (unified != null && v2Offers.contains(c)) {
                chosen.put(c, unified);
            } else if (v1.containsKey(c)) {
                chosen.put(c, v1.get(c));
            }
        }
        if (chosen.containsKey("cpu") && chosen.get("cpu").v2()) {
            chosen.put("cpuacct", chosen.get("cpu"));
        } else if (v1.containsKey("cpuacct")) {
            chosen.put("cpuacct", v1.get("cpuacct"));
        } else if (unified != null) {
            chosen.put("cpuacct", unified);
        }
        if (v1.containsKey("freezer")) {
            chosen.put("freezer", v1.get("freezer"));
        } else if (unified != null) {
            chosen.put("freezer", unified);
        }
        // Keep USED's order, so the hierarchies are always visited alike.
        Map<String, Hierarchy> ordered = new LinkedHashMap<>();
        for (String c : USED) {
            if (chosen.containsKey(c)) {
                ordered.put(c, chosen.get(c));
            }
        }
        if (unified != null && !ownV2.equals("/")) {
            unified = new Hierarchy(unified.mount(), true, unified.mount().resolve(ownV2.substring(1)),
                    unified.localEvents());
        }
        return new CgroupMounts(ordered, Optional.ofNullable(unified));
    }

    /** Only the v2 hierarchy of {@code this}, as a machine without v1 hierarchies would have it. */
    public CgroupMounts unifiedOnly() {
        Map<String, Hierarchy> kept = new LinkedHashMap<>();
        controllers.forEach((c, h) -> {
            if (h.v2()) {
                kept.put(c, h);
            }
        });
        unified.ifPresent(u -> {
            kept.putIfAbsent("cpuacct", u);
            kept.putIfAbsent("freezer", u);
        });
        Map<String, Hierarchy> ordered = new LinkedHashMap<>();
        USED.stream().filter(kept::containsKey).forEach(c -> ordered.put(c, kept.get(c)));
        return new CgroupMounts(ordered, unified);
    }

    public Optional<Hierarchy> of(String controller) {
        return Optional.ofNullable(controllers.get(controller));
    }

    public boolean has(String controller) {
        return controllers.containsKey(controller);
    }

    /** Why {@code controller} cannot be used here, or empty when it can. */
    public Optional<String> missing(String controller) {
        if (has(controller)) {
            return Optional.empty();
        }
        return Optional.of("no cgroup hierarchy of this machine offers the " + controller + " controller (no v1"
                + " mount of it in /proc/self/mountinfo" + unified.map(u -> ", and the v2 hierarchy at " + u.mount()
                + " does not list it in cgroup.controllers").orElse(", and no v2 hierarchy is mounted") + ")");
    }

    /** Each controller with its version, e.g. {@code cpu v1, memory v1, pids v2}. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        controllers.forEach((c, h) -> parts.add(c + (h.v2() ? " v2" : " v1")));
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }

    /** A cgroup path of {@code /proc/self/cgroup} as a directory under the mount, whose root may be a subtree. */
    private static Path inside(Mount m, String cgroupPath) {
        String root = m.root();
        String rel = cgroupPath;
        if (!root.equals("/") && (rel.equals(root) || rel.startsWith(root + "/"))) {
            rel = rel.substring(root.length());
        }
        rel = rel.startsWith("/") ? rel.substring(1) : rel;
        return rel.isEmpty() ? m.point() : m.point().resolve(rel);
    }

    /** The fields of one mountinfo line mignet needs. */
    private record Mount(String root, Path point, String type, List<String> superOptions) {
        /**
         * {@code 36 31 0:32 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory}: the optional
         * fields end at {@code -}, after which come the type, the source and the super options.
         */
        static Mount parse(String line) {
            String[] f = line.trim().split(" ");
            int dash = List.of(f).indexOf("-");
            if (f.length < 6 || dash < 6 || dash + 3 >= f.length) {
                return null;
            }
            return new Mount(unescape(f[3]), Path.of(unescape(f[4])), f[dash + 1], List.of(f[dash + 3].split(",")));
        }

        /** mountinfo writes space, tab, newline and backslash as octal escapes ({@code \040}). */
        private static String unescape(String s) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < s.length(); i++) {
                if (s.charAt(i) == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                    b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                    i += 3;
                } else {
                    b.append(s.charAt(i));
                }
            }
            return b.toString();
        }
    }

    private static List<String> words(String text) {
        return text == null || text.isBlank() ? List.of() : List.of(text.trim().split("\\s+"));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
