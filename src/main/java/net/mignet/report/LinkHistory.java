package net.mignet.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The links of a run as {@code events.jsonl} tells them: each link's parameters per direction when its network was
 * built ({@code link-initial}), then what changed at run time ({@code link-set}, {@code link-up}, {@code link-down}).
 * Empty for results written before links were recorded.
 *
 * @param initial the links of each network built, in the order the file lists them
 * @param changes the run-time changes in time order
 */
record LinkHistory(List<StartingLink> initial, List<LinkChange> changes) {
    static final LinkHistory NONE = new LinkHistory(List.of(), List.of());

    /**
     * A link at its network's start.
     *
     * @param network which network of the file (1, 2, ...: an experiment may build several), 0 when none is named
     * @param aToB    parameters from {@code a} to {@code b}, {@code -} for none
     */
    record StartingLink(int network, String a, String b, String aToB, String bToA) {
    }

    /**
     * A run-time change of a link.
     *
     * @param run    the experiment's run it happened in, empty outside one
     * @param change {@code set}, {@code down} or {@code up}
     * @param aToB   the new parameters from {@code a} to {@code b} of a {@code set}, else null
     */
    record LinkChange(Instant time, int network, String run, String a, String b, String change, String aToB,
            String bToA) {
    }

    static LinkHistory of(List<Map<String, String>> events) {
        List<StartingLink> initial = new ArrayList<>();
        List<LinkChange> changes = new ArrayList<>();
        int network = 0;
        String run = "";
        for (Map<String, String> e : events) {
            switch (String.valueOf(e.get("kind"))) {
                case "emulation" -> network++;
                case "run" -> run = e.getOrDefault("run", "");
                case "link-initial" -> initial.add(new StartingLink(network, e.get("a"), e.get("b"), e.get("a_to_b"),
                        e.get("b_to_a")));
                case "link-set" -> changes.add(change(e, network, run, "set", e.get("a_to_b"), e.get("b_to_a")));
                case "link-down" -> changes.add(change(e, network, run, "down", null, null));
                case "link-up" -> changes.add(change(e, network, run, "up", null, null));
                default -> {
                }
            }
        }
        addUnlisted(initial, changes);
        changes.sort(java.util.Comparator.comparing(LinkChange::time));
        return new LinkHistory(List.copyOf(initial), List.copyOf(changes));
    }

    private static LinkChange change(Map<String, String> e, int network, String run, String kind, String aToB,
            String bToA) {
        return new LinkChange(Instant.parse(e.get("time")), network, run, e.get("a"), e.get("b"), kind, aToB, bToA);
    }

    /**
     * Recorders before this one wrote {@code link-initial} only for links with parameters: a link that changed
     * without such a line had none at the start, and belongs in the table all the same.
     */
    private static void addUnlisted(List<StartingLink> initial, List<LinkChange> changes) {
        Set<String> listed = new LinkedHashSet<>();
        initial.forEach(l -> listed.add(l.network() + " " + l.a() + " " + l.b()));
        for (LinkChange c : changes) {
            if (listed.add(c.network() + " " + c.a() + " " + c.b())) {
                initial.add(new StartingLink(c.network(), c.a(), c.b(), "-", "-"));
            }
        }
    }

    boolean isEmpty() {
        return initial.isEmpty() && changes.isEmpty();
    }
}
