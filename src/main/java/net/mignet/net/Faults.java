package net.mignet.net;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Faults injected into a running emulation: hosts crash, restart, freeze and thaw; links go down, up, or flap.
 * Each operation takes effect before it returns (a flap starts and runs in the background), returns what happened
 * for the caller to show, and is reported to the listeners ({@link #listen}), so apps and migrations learn of it
 * at once. One per {@link Emulation}:
 * {@code net.faults().crash("h2")}; {@link Fault} is the same as values, for timelines.
 */
public final class Faults implements AutoCloseable {
    private static final Duration FLAP_STOP = Duration.ofSeconds(10);

    private final Function<String, Host> hosts;
    private final BiFunction<String, String, List<Link>> links;
    private final Consumer<String> log;
    private final EmulationEvents events;
    private final List<Consumer<HostFault>> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, FrozenHost> frozen = new ConcurrentHashMap<>();
    private final Map<String, List<String>> crashed = new ConcurrentHashMap<>();
    private final List<LinkFlap> flaps = new CopyOnWriteArrayList<>();
    private volatile FreezeMethod freezeMethod = FreezeMethod.best();

    Faults(Function<String, Host> hosts, BiFunction<String, String, List<Link>> links, Consumer<String> log,
            EmulationEvents events) {
        this.hosts = hosts;
        this.links = links;
        this.log = log;
        this.events = events;
    }

    /** A registration of a listener; closing it ends it. */
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    /** Hears every host fault, on the thread that caused it, after it took effect. */
    public Subscription listen(Consumer<HostFault> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** How {@link #freeze} stops processes: the v1 freezer cgroup where there is one, else SIGSTOP. */
    public FreezeMethod freezeMethod() {
        return freezeMethod;
    }

    /** Chooses how later freezes work (e.g. to try SIGSTOP on a machine that has the freezer). */
    public void useFreezeMethod(FreezeMethod method) {
        this.freezeMethod = method;
    }

    public HostCondition condition(String host) {
        return hosts.apply(host).condition();
    }

    /**
     * Kills every process on the host at once (SIGKILL; frozen ones are released so that they die) and takes its
     * interfaces down. Apps that ran there are reported crashed. {@link #restart} brings the interfaces up again.
     */
    public synchronized HostFault crash(String hostName) {
        Host host = hosts.apply(hostName);
        if (host.condition() == HostCondition.CRASHED) {
            throw new IllegalStateException(hostName + " has crashed already; restart " + hostName + " first");
        }
        FrozenHost wasFrozen = frozen.remove(hostName);
        HostCrash.Result r = HostCrash.crash(host);
        if (wasFrozen != null) {
            wasFrozen.thaw(); // only removes its (now empty) cgroup: the processes are dead
        }
        crashed.put(hostName, r.interfacesDown());
        return report(host, HostFault.Kind.CRASHED, r.killed(), "SIGKILL");
    }

    /** Brings a crashed host's interfaces up again; its apps stay crashed (deploy them again). */
    public synchronized HostFault restart(String hostName) {
        Host host = hosts.apply(hostName);
        List<String> down = crashed.get(hostName);
        if (down == null) {
            throw new IllegalStateException(hostName + " has not crashed (it is " + host.condition().word()
                    + "); nothing to restart");
        }
        HostCrash.restart(host, down);
        crashed.remove(hostName);
        return report(host, HostFault.Kind.RESTARTED, List.of(), "interfaces " + String.join(",", down) + " up");
    }

    /** Stops every process on the host, with {@link #freezeMethod()}; the kernel still answers ping and ARP. */
    public synchronized HostFault freeze(String hostName) {
        Host host = hosts.apply(hostName);
        if (host.condition() != HostCondition.UP) {
            throw new IllegalStateException(hostName + " is " + host.condition().word() + " already; "
                    + (host.condition() == HostCondition.FROZEN ? "thaw" : "restart") + " " + hostName + " first");
        }
        FrozenHost f = FrozenHost.freeze(host, freezeMethod);
        frozen.put(hostName, f);
        return report(host, HostFault.Kind.FROZEN, f.pids(), f.method().description());
    }

    public synchronized HostFault thaw(String hostName) {
        Host host = hosts.apply(hostName);
        FrozenHost f = frozen.get(hostName);
        if (f == null) {
            throw new IllegalStateException(hostName + " is not frozen (it is " + host.condition().word() + ")");
        }
        List<Long> thawed = f.thaw();
        frozen.remove(hostName);
        return report(host, HostFault.Kind.THAWED, thawed, f.method().description());
    }

    /** Thaws every frozen host, e.g. before the apps are stopped (a frozen process cannot end). */
    public void thawAll() {
        for (String host : List.copyOf(frozen.keySet())) {
            try {
                log.accept("*** " + thaw(host).describe());
            } catch (RuntimeException e) {
                log.accept("!!! thawing " + host + ": " + e.getMessage());
            }
        }
    }

    /** Cuts ({@code up} false) or restores all links between two nodes. */
    public List<Link> setLinks(String a, String b, boolean up) {
        List<Link> between = links.apply(a, b);
        between.forEach(l -> l.setUp(up));
        return between;
    }

    /**
     * Flaps the links between two nodes {@code count} times, each {@code period} half down, half up, in the
     * background; {@code onDone} hears the report when it is over (finished, cancelled or failed).
     */
    public synchronized LinkFlap flap(String a, String b, Duration period, int count,
            Consumer<LinkFlap.Report> onDone) {
        for (LinkFlap f : flaps) {
            if (!f.done().isDone() && ((f.a().equals(a) && f.b().equals(b)) || (f.a().equals(b) && f.b().equals(a)))) {
                throw new IllegalStateException("the links " + a + " <-> " + b + " are flapping already; cancel that"
                        + " flap first (flap " + a + " " + b + " cancel)");
            }
        }
        flaps.removeIf(f -> f.done().isDone());
        LinkFlap flap = LinkFlap.start(a, b, links.apply(a, b), period, count, onDone);
        flaps.add(flap);
        return flap;
    }

    /** The flaps still running. */
    public List<LinkFlap> flaps() {
        return flaps.stream().filter(f -> !f.done().isDone()).toList();
    }

    /** Cancels the running flaps between two nodes; returns them (each ends with its links up). */
    public List<LinkFlap> cancelFlaps(String a, String b) {
        List<LinkFlap> found = new ArrayList<>();
        for (LinkFlap f : flaps()) {
            if ((f.a().equals(a) && f.b().equals(b)) || (f.a().equals(b) && f.b().equals(a))) {
                f.cancel();
                found.add(f);
            }
        }
        return found;
    }

    private HostFault report(Host host, HostFault.Kind kind, List<Long> pids, String method) {
        host.condition(kind.condition());
        HostFault fault = new HostFault(host.name(), kind, Instant.now(), pids, method);
        events.publish(fault.at(), "host-" + kind.name().toLowerCase(java.util.Locale.ROOT), fault, "host",
                host.name(), "processes", pids.size(), "method", method);
        for (Consumer<HostFault> l : listeners) {
            try {
                l.accept(fault);
            } catch (RuntimeException e) {
                log.accept("!!! a listener of " + fault.describe() + " failed: " + e.getMessage());
            }
        }
        return fault;
    }

    /** Stops the flaps and thaws the frozen hosts, so that the teardown can end every process. */
    @Override
    public void close() {
        for (LinkFlap f : flaps) {
            f.cancel();
        }
        for (LinkFlap f : flaps) {
            try {
                f.await(FLAP_STOP);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                log.accept("!!! " + e.getMessage());
            }
        }
        thawAll();
    }
}
