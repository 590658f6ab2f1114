import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.mignet.kernel.Cleaner;
import net.mignet.kernel.Command;
import net.mignet.kernel.NamespaceThread;
import net.mignet.kernel.NetlinkRoute;
import net.mignet.kernel.EmulationId;
import net.mignet.kernel.NetnsPaths;
import net.mignet.net.Emulation;
import net.mignet.net.Host;
import net.mignet.net.PingResult;
import net.mignet.topo.Topology;
import net.mignet.topo.TopologyGenerators;

/**
 * Times setup and teardown of {@code single,N} and tree topologies of about N hosts (N = 100, 500, 1000), mignet
 * against Mininet 2.3 ({@code --switch lxbr --controller none}) in the same run, and checks issue 2's targets:
 * 1000 hosts up in under 5 s and down in under 2 s.
 *
 * <pre>
 *   bench/run SetupTeardownBench                         # everything: 6 topologies, 3 runs each, with Mininet
 *   bench/run SetupTeardownBench --sizes 100,1000 --topos single --reps 5
 *   bench/run SetupTeardownBench --no-mininet            # mignet only
 *   bench/run SetupTeardownBench --mininet-timeout 120   # seconds per Mininet run; then "timeout"
 *   bench/run SetupTeardownBench --mininet-reps 1        # Mininet once per topology (it takes minutes)
 *   bench/run SetupTeardownBench --verbose               # also mignet's progress lines, with times
 * </pre>
 *
 * Sizes map to {@code single,N} and to trees of about N hosts: 100 is tree,2,10, 500 is tree,3,8 (512 hosts),
 * 1000 is tree,3,10. After each mignet teardown the benchmark also waits until the kernel has really freed the
 * devices (a veth from a watcher namespace into the fabric disappears), reports that time as "kernel done",
 * and only then starts the next run, so runs do not slow each other down.
 *
 * Setup is {@code Emulation.start} until every host is configured; it is then checked (the namespaces are all
 * there, the first host pings the last). Teardown is {@code close()} until no namespace of the emulation is
 * left. Mininet's runs are timed by {@code bench/mininet_setup_teardown.py} with the same topology. Each
 * measurement is repeated and the median is reported; mignet and Mininet runs alternate, so both see the same
 * machine load. Raw numbers go to {@code bench/results/setup-teardown-<time>.csv}.
 */
public class SetupTeardownBench {
    static final double SETUP_TARGET_S = 5.0;
    static final double TEARDOWN_TARGET_S = 2.0;
    static final Pattern JSON_NUMBER = Pattern.compile("\"%s\": (null|[-0-9.eE]+)");

    /** One measurement; settled is mignet's close until the kernel has removed the devices, else null. */
    record Run(String tool, String topo, int hosts, int rep, Double setup, Double teardown, Double settled, boolean ok,
            String note) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = options(args);
        List<Integer> sizes = Arrays.stream(opts.getOrDefault("sizes", "100,500,1000").split(","))
                .map(String::trim).map(Integer::parseInt).toList();
        List<String> kinds = List.of(opts.getOrDefault("topos", "single,tree").split(","));
        int reps = Integer.parseInt(opts.getOrDefault("reps", "3"));
        int mininetReps = Integer.parseInt(opts.getOrDefault("mininet-reps", Integer.toString(reps)));
        boolean mininet = !opts.containsKey("no-mininet");
        int mininetTimeout = Integer.parseInt(opts.getOrDefault("mininet-timeout", "300"));
        boolean verbose = opts.containsKey("verbose");
        if (mininet && !Files.isExecutable(Path.of("/usr/bin/mn"))) {
            System.out.println("Mininet is not installed (apt-get install mininet bridge-utils); measuring mignet"
                    + " only. Use --no-mininet to silence this.");
            mininet = false;
        }

        List<String> specs = new ArrayList<>();
        for (int n : sizes) {
            for (String kind : kinds) {
                specs.add(switch (kind.trim()) {
                    case "single" -> "single," + n;
                    case "tree" -> treeFor(n);
                    default -> throw new IllegalArgumentException("--topos takes single and/or tree, not " + kind);
                });
            }
        }
        Path results = Path.of("bench/results");
        Files.createDirectories(results);
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        Path csv = results.resolve("setup-teardown-" + stamp + ".csv");
        Path phases = results.resolve("setup-teardown-" + stamp + "-phases.txt");
        Files.writeString(csv, "tool,topo,hosts,rep,setup_s,teardown_s,settled_s,ok,note\n");
        System.out.printf("setup/teardown benchmark: %s, %d runs each (Mininet: %s), %d cores, kernel %s%n",
                String.join(" ", specs), reps, mininet ? mininetReps + " runs, limit " + mininetTimeout + " s" : "off",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.version"));

        List<Run> all = new ArrayList<>();
        warmUp();
        for (String spec : specs) {
            Topology topo = TopologyGenerators.fromSpec(spec);
            boolean mininetTimedOut = false;
            for (int rep = 1; rep <= reps; rep++) {
                Run m = runMignet(spec, topo, rep, phases, verbose);
                record(all, csv, m);
                if (mininet && rep <= mininetReps && !mininetTimedOut) {
                    Run p = runMininet(spec, topo.hosts().size(), rep, mininetTimeout);
                    record(all, csv, p);
                    // A timed-out size would time out again: do not spend the limit twice.
                    mininetTimedOut = "timeout".equals(p.note());
                }
            }
        }
        printTable(specs, all, mininet);
        System.out.println("raw numbers: " + csv + "; mignet phase timings: " + phases);
    }

    /** Mininet's TreeTopo of depth and fanout giving about n hosts: 100 = 10^2, 512 = 8^3, 1000 = 10^3. */
    static String treeFor(int n) {
        return switch (n) {
            case 100 -> "tree,2,10";
            case 500 -> "tree,3,8";
            case 1000 -> "tree,3,10";
            default -> {
                int fanout = (int) Math.round(Math.sqrt(n));
                yield "tree,2," + fanout;
            }
        };
    }

    /** One JIT-cold run on a small topology, so the first measured run does not pay for class loading. */
    static void warmUp() {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,4"),
                EmulationId.fresh("bench-warm"), line -> { })) {
            net.host("h1").ping(net.host("h4").ip().toString(), 1);
        }
    }

    static Run runMignet(String spec, Topology topo, int rep, Path phases, boolean verbose) throws IOException {
        EmulationId id = EmulationId.fresh("bench-" + spec.replace(',', '-'));
        EmulationId watchId = EmulationId.fresh("bench-watch");
        String watchNs = watchId.hostNamespace("watch");
        List<String> log = new ArrayList<>();
        long[] start = new long[1];
        java.util.function.Consumer<String> logger = line -> {
            String timed = String.format(Locale.ROOT, "%8.3f s  %s", (System.nanoTime() - start[0]) / 1e9, line);
            log.add(timed);
            if (verbose) {
                System.out.println("    " + timed);
            }
        };
        int hosts = topo.hosts().size();
        Emulation net = null;
        try {
            Command.check(List.of("ip", "netns", "add", watchNs));
            start[0] = System.nanoTime();
            net = Emulation.start(topo, id, logger);
            double setup = (System.nanoTime() - start[0]) / 1e9;

            List<String> problems = new ArrayList<>();
            long namespaces = NetnsPaths.list().stream().filter(ns -> ns.startsWith(id.namespacePrefix())).count();
            if (namespaces != hosts + 1) {
                problems.add(namespaces + " namespaces, expected " + (hosts + 1));
            }
            List<Host> all = List.copyOf(net.hosts());
            Host first = all.getFirst();
            Host last = all.getLast();
            PingResult ping = first.ping(last.ip().toString(), 3);
            String warning = "";
            if (ping.received() == 0) {
                // Seen once in about 60 runs of 1000 hosts, not reproduced since: record the state, try again.
                log.add("first ping lost: " + ping.output().strip().replace('\n', ' '));
                log.add(last + ": " + last.exec("ip", "-o", "link", "show").stdout().strip().replace('\n', ' '));
                log.add(last + ": " + last.exec("ip", "-o", "-4", "addr", "show").stdout().strip().replace('\n', ' '));
                log.add(first + ": " + first.exec("ip", "neigh", "show").stdout().strip().replace('\n', ' '));
                for (var link : topo.links()) {
                    if (link.a().node().equals(last.name()) || link.b().node().equals(last.name())) {
                        String port = link.a().node().equals(last.name()) ? link.b().interfaceName()
                                : link.a().interfaceName();
                        log.add("fabric: " + Command.run(List.of("ip", "-n", id.fabricNamespace(), "-o", "link",
                                "show", port)).stdout().strip());
                    }
                }
                sleepMillis(1000);
                PingResult again = first.ping(last.ip().toString(), 3);
                log.add("second ping: " + again.output().strip().replace('\n', ' '));
                if (again.received() == 0) {
                    problems.add(first + " cannot ping " + last + ", twice: " + again.output().strip());
                } else {
                    warning = "first ping from " + first + " to " + last + " lost, second one 1 s later answered";
                }
            }

            // The kernel frees a deleted namespace's devices later, in a worker: a veth from a watcher namespace
            // into the fabric (deleted last) vanishes when the kernel has removed the fabric's devices.
            Command.check(List.of("ip", "-n", watchNs, "link", "add", "wdog", "type", "veth", "peer", "name",
                    "wdog", "netns", id.fabricNamespace()));
            start[0] = System.nanoTime();
            net.close();
            double teardown = (System.nanoTime() - start[0]) / 1e9;
            long left = NetnsPaths.list().stream().filter(ns -> ns.startsWith(id.namespacePrefix())).count();
            if (left != 0) {
                problems.add(left + " namespaces left after close");
            }
            Double settled = null;
            while ((System.nanoTime() - start[0]) / 1e9 < 60) {
                if (!NamespaceThread.call(watchNs, () -> present("wdog"))) {
                    settled = (System.nanoTime() - start[0]) / 1e9;
                    break;
                }
                sleepMillis(5);
            }
            log.add(String.format(Locale.ROOT, "%8s s  the kernel has removed the devices (watcher)", fmt(settled)));
            if (settled == null) {
                problems.add("the kernel did not remove the devices within 60 s");
            }
            Files.writeString(phases, "== mignet " + spec + " run " + rep + "\n" + String.join("\n", log) + "\n",
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            if (problems.isEmpty() && !warning.isEmpty()) {
                problems.add("WARNING: " + warning);
                return new Run("mignet", spec, hosts, rep, setup, teardown, settled, true, String.join("; ", problems));
            }
            return new Run("mignet", spec, hosts, rep, setup, teardown, settled, problems.isEmpty(),
                    String.join("; ", problems));
        } catch (RuntimeException e) {
            return new Run("mignet", spec, hosts, rep, null, null, null, false, "error: " + e.getMessage());
        } finally {
            if (net != null && !net.isClosed()) {
                net.close();
            }
            Cleaner.removeEmulation(id, line -> { });
            Cleaner.removeEmulation(watchId, line -> { });
        }
    }

    /** Whether the calling thread's namespace has an interface of that name. */
    static boolean present(String name) {
        try {
            NetlinkRoute.indexOf(name);
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Run runMininet(String spec, int hosts, int rep, int timeout) throws Exception {
        Process p = new ProcessBuilder("/usr/bin/python3", "bench/mininet_setup_teardown.py", spec, "--timeout",
                Integer.toString(timeout)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        // The script stops itself at the limit and removes what it built; this is only a backstop.
        if (!p.waitFor(timeout + 180L, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor();
            System.out.println("Mininet did not stop after its time limit; run `mn -c` to remove its leftovers.");
            return new Run("mininet", spec, hosts, rep, null, null, null, false, "timeout");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        String json = out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse("");
        if (json.isEmpty()) {
            return new Run("mininet", spec, hosts, rep, null, null, null, false, "error: no result (exit "
                    + p.exitValue() + ")");
        }
        Double setup = number(json, "setup_s");
        Double teardown = number(json, "teardown_s");
        String status = text(json, "status");
        boolean ping = json.contains("\"ping\": true");
        String note = switch (status) {
            case "ok" -> ping ? "" : "ping failed";
            case "timeout" -> "timeout";
            default -> "error: " + text(json, "error");
        };
        // Mininet's hosts' namespaces, too, are freed by the kernel after stop(); let that finish before the
        // next measurement.
        sleepMillis(2000);
        return new Run("mininet", spec, hosts, rep, setup, teardown, null, "ok".equals(status) && ping, note);
    }

    static Double number(String json, String key) {
        Matcher m = Pattern.compile(String.format(JSON_NUMBER.pattern(), key)).matcher(json);
        return m.find() && !m.group(1).equals("null") ? Double.valueOf(m.group(1)) : null;
    }

    static String text(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": \"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
        return m.find() ? m.group(1) : "";
    }

    static void record(List<Run> all, Path csv, Run r) throws IOException {
        all.add(r);
        Files.writeString(csv, String.format(Locale.ROOT, "%s,%s,%d,%d,%s,%s,%s,%s,\"%s\"%n", r.tool(),
                r.topo().replace(',', ' '), r.hosts(), r.rep(), fmt(r.setup()), fmt(r.teardown()), fmt(r.settled()),
                r.ok(), r.note().replace('"', '\'')), StandardOpenOption.APPEND);
        String settled = r.settled() == null ? "" : " (kernel done " + fmt(r.settled()) + " s)";
        String failure = r.ok() ? (r.note().isEmpty() ? "" : "  " + r.note())
                : "  " + ("timeout".equals(r.note()) ? "TIMEOUT" : "FAILED: " + r.note());
        System.out.printf(Locale.ROOT, "  %-8s %-11s run %d: up %s s, down %s s%s%s%n", r.tool(), r.topo(), r.rep(),
                fmt(r.setup()), fmt(r.teardown()), settled, failure);
    }

    static void printTable(List<String> specs, List<Run> all, boolean mininet) {
        System.out.println();
        System.out.println("Medians in seconds; ratio = mignet / Mininet (below 1: mignet is faster). \"kernel\" is"
                + " mignet's close until the kernel has also freed the devices (it does so in the background).");
        String head = "%-11s %5s | %7s %8s %6s | %7s %8s %6s | %7s | %s%n";
        System.out.printf(head, "topology", "hosts", "mignet", "Mininet", "ratio", "mignet", "Mininet", "ratio",
                "kernel", "target: 1000 hosts up < 5 s, down < 2 s");
        System.out.printf(head, "", "", "up", "up", "", "down", "down", "", "done", "");
        for (String spec : specs) {
            List<Run> m = all.stream().filter(r -> r.tool().equals("mignet") && r.topo().equals(spec)).toList();
            List<Run> p = all.stream().filter(r -> r.tool().equals("mininet") && r.topo().equals(spec)).toList();
            int hosts = m.getFirst().hosts();
            Double mUp = median(m.stream().filter(Run::ok).map(Run::setup).toList());
            Double mDown = median(m.stream().filter(Run::ok).map(Run::teardown).toList());
            Double mSettled = median(m.stream().filter(Run::ok).map(Run::settled).toList());
            // A Mininet run that timed out in stop() still measured its setup.
            List<Run> pUsable = p.stream().filter(r -> r.ok() || "timeout".equals(r.note())).toList();
            Double pUp = median(pUsable.stream().map(Run::setup).toList());
            Double pDown = median(pUsable.stream().map(Run::teardown).toList());
            String target = "";
            if (hosts >= 1000) {
                boolean up = mUp != null && mUp < SETUP_TARGET_S;
                boolean down = mDown != null && mDown < TEARDOWN_TARGET_S;
                target = "up " + (up ? "PASS" : "FAIL") + ", down " + (down ? "PASS" : "FAIL");
            }
            long failed = m.stream().filter(r -> !r.ok()).count();
            if (failed > 0) {
                target += (target.isEmpty() ? "" : "; ") + failed + " mignet run(s) FAILED";
            }
            long warned = m.stream().filter(r -> r.ok() && r.note().startsWith("WARNING")).count();
            if (warned > 0) {
                target += (target.isEmpty() ? "" : "; ") + warned + " run(s) needed a second ping";
            }
            System.out.printf(Locale.ROOT, head, spec, hosts, fmt(mUp), mininet ? peer(p, pUp) : "-", ratio(mUp, pUp),
                    fmt(mDown), mininet ? peer(p, pDown) : "-", ratio(mDown, pDown), fmt(mSettled), target);
        }
    }

    static String peer(List<Run> runs, Double median) {
        if (median != null) {
            return fmt(median);
        }
        if (runs.isEmpty()) {
            return "-";
        }
        return runs.stream().anyMatch(r -> "timeout".equals(r.note())) ? "timeout" : "failed";
    }

    static Double median(List<Double> values) {
        List<Double> v = values.stream().filter(x -> x != null).sorted().toList();
        if (v.isEmpty()) {
            return null;
        }
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    static String ratio(Double a, Double b) {
        return a == null || b == null || b == 0 ? "-" : String.format(Locale.ROOT, "%.3f", a / b);
    }

    static String fmt(Double seconds) {
        return seconds == null ? "-" : String.format(Locale.ROOT, "%.3f", seconds);
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + a + "; see the comment at the top of"
                        + " bench/SetupTeardownBench.java");
            }
            String key = a.substring(2);
            if (key.equals("no-mininet") || key.equals("verbose")) {
                opts.put(key, "true");
            } else if (i + 1 < args.length) {
                opts.put(key, args[++i]);
            } else {
                throw new IllegalArgumentException(a + " needs a value");
            }
        }
        return opts;
    }
}
