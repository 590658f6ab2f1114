import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import net.mignet.image.ImageCache;
import net.mignet.kernel.EmulationId;
import net.mignet.net.Emulation;
import net.mignet.net.Host;
import net.mignet.topo.HostContainer;
import net.mignet.topo.HostImage;
import net.mignet.topo.HostSpec;
import net.mignet.topo.Topology;
import net.mignet.topo.TopologyGenerators;

/**
 * Times starting 1, 10 and 100 hosts on a Debian image (its cache warm) against 100 bare hosts in the same run,
 * and measures what each image host costs: memory (the kernel's slab growth while the hosts are up, per host:
 * namespaces, mounts, overlay inodes; plus the proportional set size of each host's init) and disk (its writable layer, on tmpfs under
 * /run/mignet; the image itself is shared). Issue 11's targets: 100 image hosts up in under 3 s warm, under 1 MB of
 * disk per extra host.
 *
 * <pre>
 *   bench/run ImageHostsBench                     # sizes 1,10,100, 3 runs each, image debian:13
 *   bench/run ImageHostsBench --sizes 100 --reps 5 --image debian:12
 * </pre>
 */
public class ImageHostsBench {
    static final double START_TARGET_S = 3.0;
    static final double DISK_TARGET_BYTES = 1 << 20;

    record Run(String kind, int hosts, int rep, double setup, double teardown, double firstExec, long memPerHost,
            long diskPerHost) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new java.util.HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--")) {
                String key = args[i].substring(2);
                opts.put(key, i + 1 < args.length && !args[i + 1].startsWith("--") ? args[++i] : "");
            }
        }
        List<Integer> sizes = Arrays.stream(opts.getOrDefault("sizes", "1,10,100").split(","))
                .map(String::trim).map(Integer::parseInt).toList();
        int reps = Integer.parseInt(opts.getOrDefault("reps", "3"));
        HostImage image = HostImage.of(opts.getOrDefault("image", "debian:13"));
        long t0 = System.nanoTime();
        Path root = ImageCache.system(System.err::println).rootfs(image);
        System.out.printf("image hosts benchmark: %s at %s (%s, ready in %.1f s), sizes %s, %d runs each, %d cores%n",
                image, root, mb(du(root)), (System.nanoTime() - t0) / 1e9, sizes, reps,
                Runtime.getRuntime().availableProcessors());
        Path results = Path.of("bench/results");
        Files.createDirectories(results);
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        Path csv = results.resolve("image-hosts-" + stamp + ".csv");
        Files.writeString(csv, "kind,hosts,rep,setup_s,teardown_s,first_exec_s,mem_per_host_bytes,disk_per_host_bytes\n");
        int maxSize = sizes.stream().mapToInt(Integer::intValue).max().orElse(100);
        List<Run> all = new ArrayList<>();
        run("plain", maxSize, null, 0); // warm-up: JIT, page cache
        run("image", 1, image, 0);
        for (int rep = 1; rep <= reps; rep++) {
            all.add(record(csv, run("plain", maxSize, null, rep)));
            for (int n : sizes) {
                all.add(record(csv, run("image", n, image, rep)));
            }
        }
        System.out.println();
        System.out.printf("%-8s %6s %10s %10s %12s %14s %14s%n", "kind", "hosts", "setup s", "teardown s",
                "1st exec ms", "mem/host KiB", "disk/host KiB");
        List<String> kinds = List.of("plain", "image");
        double plain = Double.NaN;
        double image100 = Double.NaN;
        for (String kind : kinds) {
            for (int n : kind.equals("plain") ? List.of(maxSize) : sizes) {
                List<Run> runs = all.stream().filter(r -> r.kind().equals(kind) && r.hosts() == n).toList();
                double setup = median(runs.stream().mapToDouble(Run::setup).toArray());
                double down = median(runs.stream().mapToDouble(Run::teardown).toArray());
                double exec = median(runs.stream().mapToDouble(Run::firstExec).toArray());
                double mem = median(runs.stream().mapToDouble(Run::memPerHost).toArray());
                double disk = median(runs.stream().mapToDouble(Run::diskPerHost).toArray());
                System.out.printf(Locale.ROOT, "%-8s %6d %10.2f %10.2f %12.1f %14.0f %14.1f%n", kind, n, setup, down,
                        exec * 1000, mem / 1024, disk / 1024);
                if (kind.equals("plain")) {
                    plain = setup;
                } else if (n == maxSize) {
                    image100 = setup;
                    System.out.printf(Locale.ROOT, "%d image hosts up in %.2f s (target < %.0f s: %s), %.2fx the time"
                            + " of %d bare hosts; disk per extra host %.1f KiB (target < 1 MiB: %s)%n", n, setup,
                            START_TARGET_S, setup < START_TARGET_S ? "met" : "MISSED", setup / plain, maxSize,
                            disk / 1024, disk < DISK_TARGET_BYTES ? "met" : "MISSED");
                }
            }
        }
        System.out.println("raw numbers: " + csv);
    }

    static Run run(String kind, int n, HostImage image, int rep) throws IOException {
        Topology base = TopologyGenerators.fromSpec("single," + n);
        Topology topo = image == null ? base : new Topology(base.name(), base.hosts().stream()
                .map(h -> new HostSpec(h.name(), h.defaultIp(), HostContainer.of(image))).toList(), base.switches(),
                base.links());
        long slabBefore = meminfo("Slab:");
        long t0 = System.nanoTime();
        Emulation net = Emulation.start(topo, EmulationId.fresh("bench"), line -> { });
        double setup = (System.nanoTime() - t0) / 1e9;
        double firstExec;
        long memPerHost;
        long diskPerHost;
        try {
            Host last = net.host("h" + n);
            long e0 = System.nanoTime();
            net.mignet.kernel.CommandResult r = last.exec("hostname");
            firstExec = (System.nanoTime() - e0) / 1e9;
            if (r.exitCode() != 0 || (image != null && !r.stdout().strip().equals(last.name()))) {
                throw new IllegalStateException("h" + n + " is not up: " + r);
            }
            // Kernel structures (namespaces, mounts, the overlay's inodes) show as slab; the processes as their
            // proportional set size. MemAvailable would drown both in the noise of other work on the machine.
            long inits = net.hosts().stream().mapToLong(h -> h.initPid().map(ImageHostsBench::pss).orElse(0L)).sum();
            memPerHost = (Math.max(0, meminfo("Slab:") - slabBefore) + inits) / n;
            diskPerHost = du(net.id().stateDirectory().resolve("hosts")) / n;
        } catch (RuntimeException e) {
            net.close();
            throw e;
        }
        long d0 = System.nanoTime();
        net.close();
        double teardown = (System.nanoTime() - d0) / 1e9;
        return new Run(kind, n, rep, setup, teardown, firstExec, memPerHost, diskPerHost);
    }

    static Run record(Path csv, Run r) throws IOException {
        Files.writeString(csv, String.format(Locale.ROOT, "%s,%d,%d,%.4f,%.4f,%.4f,%d,%d%n", r.kind(), r.hosts(),
                r.rep(), r.setup(), r.teardown(), r.firstExec(), r.memPerHost(), r.diskPerHost()),
                java.nio.file.StandardOpenOption.APPEND);
        System.out.printf(Locale.ROOT, "%s %d hosts, run %d: up %.2f s, down %.2f s, first exec %.1f ms, %d KiB memory"
                + " and %.1f KiB disk per host%n", r.kind(), r.hosts(), r.rep(), r.setup(), r.teardown(),
                r.firstExec() * 1000, r.memPerHost() / 1024, r.diskPerHost() / 1024.0);
        return r;
    }

    /** Proportional set size of a process, from smaps_rollup. */
    static long pss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
                if (line.startsWith("Pss:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            // ended
        }
        return 0;
    }

    static long meminfo(String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return 0;
    }

    /** Bytes in the files under dir (apparent sizes plus 4 KiB per directory, as tmpfs charges them). */
    static long du(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            return all.mapToLong(p -> {
                try {
                    return Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? 4096
                            : Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? Files.size(p) : 0;
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        }
    }

    static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.0f MB", bytes / 1e6);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length == 0 ? Double.NaN : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
