package net.mignet.net;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import net.mignet.image.BuildFailure;
import net.mignet.image.ImageCache;
import net.mignet.kernel.EmulationId;
import net.mignet.kernel.HostCgroup;
import net.mignet.kernel.HostSandbox;
import net.mignet.topo.HostContainer;
import net.mignet.topo.HostImage;
import net.mignet.topo.HostSpec;
import net.mignet.topo.Topology;

/**
 * Gives the hosts of a starting emulation their images, namespaces and cgroups. Hosts without an image or limits
 * are not touched: they stay bare network namespaces, as fast as ever.
 */
final class HostIsolation {
    /** Set-up of a host is mostly kernel work under few locks: a couple of threads is all that pays. */
    private static final int THREADS = Math.clamp(Runtime.getRuntime().availableProcessors(), 1, 4);

    private HostIsolation() {
    }

    /** The root of each image the topology names, built or unpacked now if the cache lacks it. */
    static Map<HostImage, Path> images(Topology topology, ImageCache cache) {
        Map<HostImage, Path> roots = new LinkedHashMap<>();
        for (HostSpec h : topology.hosts()) {
            HostImage image = h.container().image();
            if (image != null && !roots.containsKey(image)) {
                HostSandbox.unavailableReason().ifPresent(r -> {
                    throw new IllegalStateException("host " + h.name() + " has image " + image + ", but " + r);
                });
                try {
                    roots.put(image, cache.rootfs(image));
                } catch (BuildFailure e) {
                    throw new IllegalStateException("host " + h.name() + ": cannot make image " + image + ": "
                            + e.getMessage(), e);
                }
            }
            if (!h.container().limits().isEmpty()) {
                HostCgroup.unavailableReason(h.container().limits()).ifPresent(r -> {
                    throw new IllegalStateException("host " + h.name() + " has limits " + h.container().limits()
                            + ", but " + r);
                });
            }
        }
        return roots;
    }

    /** Starts the namespaces and cgroups of every host that has an image or limits, a few at a time. */
    static void start(Topology topology, Map<String, Host> hosts, Map<HostImage, Path> roots, EmulationId id,
            Consumer<String> log) {
        List<HostSpec> isolated = topology.hosts().stream()
                .filter(h -> h.container().hasImage() || !h.container().limits().isEmpty()).toList();
        if (isolated.isEmpty()) {
            return;
        }
        long t0 = System.nanoTime();
        long withImage = isolated.stream().filter(h -> h.container().hasImage()).count();
        log.accept("*** Isolating " + isolated.size() + " hosts (" + withImage + " with an image)");
        try (ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
            List<Future<?>> started = new ArrayList<>();
            for (HostSpec spec : isolated) {
                started.add(pool.submit(() -> isolate(spec, hosts.get(spec.name()), roots, id)));
            }
            for (Future<?> f : started) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while isolating hosts", e);
                }
            }
        }
        log.accept(String.format("*** Hosts isolated in %.2f s", (System.nanoTime() - t0) / 1e9));
    }

    private static void isolate(HostSpec spec, Host host, Map<HostImage, Path> roots, EmulationId id) {
        HostContainer c = spec.container();
        HostCgroup cgroup = null;
        if (!c.limits().isEmpty()) {
            cgroup = HostCgroup.create(host.namespace());
            cgroup.apply(c.limits());
        } else if (c.hasImage() && HostCgroup.available()) {
            // Only to measure the host's use: where the machine lets mignet make no cgroup (a container whose
            // cgroup v2 root holds processes), the host runs without one.
            try {
                cgroup = HostCgroup.create(host.namespace());
            } catch (IllegalStateException e) {
                cgroup = null;
            }
        }
        HostSandbox box = null;
        if (c.hasImage()) {
            Path state = id.stateDirectory().resolve("hosts").resolve(spec.name());
            box = HostSandbox.start(spec.name(), host.namespace(), roots.get(c.image()), state, cgroup,
                    sharedWithImageHosts(), c.namespaces());
        }
        host.isolate(c.image(), box, cgroup, c.limits());
    }

    /**
     * What image hosts see of the machine, read-only at the same paths: mignet's JVM, its classes and the JVMs'
     * class-data archive, so the built-in apps (started with that JVM and class path) run on any glibc image.
     */
    static List<Path> sharedWithImageHosts() {
        List<Path> shared = new ArrayList<>();
        shared.add(Path.of(System.getProperty("java.home")));
        try {
            shared.add(Path.of(Emulation.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (java.net.URISyntaxException | RuntimeException e) {
            // Without mignet's classes inside, only the built-in Java apps cannot run there.
        }
        shared.add(Path.of(System.getProperty("java.io.tmpdir"), "mignet-cds"));
        return shared;
    }

    /** Ends the hosts' own namespaces and removes their cgroups; their processes have been killed. */
    static void stop(Collection<Host> hosts, Consumer<String> log) {
        for (Host h : hosts) {
            try {
                h.closeIsolation();
            } catch (RuntimeException e) {
                log.accept("!!! host " + h.name() + ": " + e.getMessage());
            }
        }
    }
}
