package net.mignet.topo;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Loops between switches that forward by learning alone. mignet's switches are Linux bridges without spanning
 * tree, so the first broadcast on such a loop (a host's first ARP) circles forever and multiplies at every switch:
 * measured on a 2-core machine, 400 000 frames a second through one bridge, both cores in softirq for as long as
 * the network was up, and no ping through. Only a switch in {@code fail-mode: secure} breaks such a loop: it
 * forwards only what its rules say (from the file or a controller) and drops the rest, never as a learning bridge.
 * Rules alone do not (what no rule matches is bridged: a broadcast still circles), nor does an OpenFlow switch in
 * the default standalone mode (a learning bridge until its controller connects, and whenever it is gone), nor a
 * command line's {@code --fail-mode secure}, which this check, run when the file is read, does not see.
 */
final class SwitchLoops {
    private SwitchLoops() {
    }

    /** One problem per link that closes a loop of learning switches, naming the loop. */
    static List<KernelRules.Problem> check(List<SwitchSpec> switches, List<LinkSpec> links, KernelRules.Lines lines) {
        Set<String> learning = switches.stream().filter(s -> s.openflow().failMode() != FailMode.SECURE)
                .map(SwitchSpec::name).collect(Collectors.toSet());
        Map<String, List<String>> joined = new HashMap<>();
        List<KernelRules.Problem> problems = new ArrayList<>();
        for (int i = 0; i < links.size(); i++) {
            String a = links.get(i).a().node();
            String b = links.get(i).b().node();
            if (!learning.contains(a) || !learning.contains(b)) {
                continue;
            }
            List<String> path = a.equals(b) ? List.of(a) : path(joined, a, b);
            if (path != null) {
                problems.add(new KernelRules.Problem(lines.end(i, true), "link " + a + "-" + b + " closes a loop"
                        + " of switches " + String.join(" -> ", path) + " -> " + a + "; they forward by learning"
                        + " alone and run no spanning tree, so a broadcast would circle forever and take every"
                        + " core. Remove one of the loop's links, or give one of its switches 'fail-mode: secure' and"
                        + " rules (flows: or a controller's) that keep frames from circling"));
                continue; // not joined: the rest of the file is checked against the loop-free part
            }
            joined.computeIfAbsent(a, k -> new ArrayList<>()).add(b);
            joined.computeIfAbsent(b, k -> new ArrayList<>()).add(a);
        }
        return problems;
    }

    /** The switches from {@code from} to {@code to} over the links joined so far, or null when none leads there. */
    private static List<String> path(Map<String, List<String>> joined, String from, String to) {
        Map<String, String> cameFrom = new HashMap<>();
        Deque<String> queue = new ArrayDeque<>(List.of(from));
        cameFrom.put(from, from);
        while (!queue.isEmpty()) {
            String at = queue.poll();
            if (at.equals(to)) {
                List<String> path = new ArrayList<>();
                for (String s = to; !s.equals(from); s = cameFrom.get(s)) {
                    path.addFirst(s);
                }
                path.addFirst(from);
                return path;
            }
            for (String next : joined.getOrDefault(at, List.of())) {
                if (cameFrom.putIfAbsent(next, at) == null) {
                    queue.add(next);
                }
            }
        }
        return null;
    }
}
