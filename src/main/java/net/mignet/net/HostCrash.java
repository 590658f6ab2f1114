package net.mignet.net;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.mignet.kernel.Command;
import net.mignet.kernel.FreezerCgroup;
import net.mignet.kernel.Signals;
import net.mignet.topo.LinkEnd;

/** What {@code crash} does to a host: every process killed at once, its interfaces down, as a power cut would. */
final class HostCrash {
    private static final int SIGKILL = 9;
    /** How long the killed processes may take to leave the namespace: dying takes the kernel milliseconds. */
    private static final Duration GONE = Duration.ofSeconds(5);
    private static final Pattern LINK = Pattern.compile(
            "\"ifname\":\"([^\"]+)\"[^\\[\\]{}]*?\"flags\":\\[([^\\]]*)\\]");

    /** The crash's result: the processes killed and the interfaces it took down (a restart brings those up). */
    record Result(List<Long> killed, List<String> interfacesDown) {
    }

    private HostCrash() {
    }

    static Result crash(Host host) {
        List<Long> killed = HostProcesses.untilNoNewOnes(host, pid -> Signals.send(pid, SIGKILL));
        // A process in a frozen cgroup dies of its SIGKILL only once it leaves the cgroup.
        FreezerCgroup.release(killed);
        awaitGone(host);
        List<String> down = new ArrayList<>();
        for (String name : interfacesUp(host)) {
            host.setInterfaceUp(name, false);
            down.add(name);
        }
        return new Result(killed, down);
    }

    static void restart(Host host, List<String> interfaces) {
        for (String name : interfaces) {
            host.setInterfaceUp(name, true);
        }
    }

    private static void awaitGone(Host host) {
        long deadline = System.nanoTime() + GONE.toNanos();
        List<Long> left;
        while (!(left = HostProcesses.of(host)).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(host.name() + ": processes " + left + " still run " + GONE.toSeconds()
                        + " s after SIGKILL");
            }
            left.forEach(pid -> Signals.send(pid, SIGKILL));
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** The host's interfaces (of its links) that are administratively up now. */
    private static List<String> interfacesUp(Host host) {
        String json = Command.check(List.of("ip", "-n", host.namespace(), "-j", "link", "show")).stdout();
        List<String> ours = host.interfaces().stream().map(LinkEnd::interfaceName).toList();
        List<String> up = new ArrayList<>();
        Matcher m = LINK.matcher(json);
        while (m.find()) {
            if (ours.contains(m.group(1)) && List.of(m.group(2).replace("\"", "").split(",")).contains("UP")) {
                up.add(m.group(1));
            }
        }
        return up;
    }
}
