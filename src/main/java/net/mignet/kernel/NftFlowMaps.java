package net.mignet.kernel;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * What the kernel holds of a switch's flows stored as set elements ({@link NftFlowShape}): per shape, its table and
 * which flow each key is. Turns changes of such flows into element additions and deletions within the switch's
 * transaction, creating a shape's table with its first flow and deleting it with its last.
 */
final class NftFlowMaps {

    /** A shape's table: its flows by key (in hex), and per port chain what the lookup rule sends frames to. */
    private static final class Shape {
        final String table;
        /** The flows of each key, by id: the first one's is the element's counter. */
        final Map<ElementKey, List<Long>> ids = new HashMap<>();
        final Map<Integer, List<String>> targets = new HashMap<>();

        Shape(String table) {
            this.table = table;
        }
    }

    private record Placed(NftFlowShape shape, ElementKey key) {
    }

    /** A set element's key, compared by its bytes. */
    private record ElementKey(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof ElementKey k && java.util.Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            // Arrays.hashCode's factor 31 gives the many keys of two bytes (ports) a few hundred hashes only.
            int h = 1;
            for (byte b : bytes) {
                h = h * 257 + (b & 0xff);
            }
            return h;
        }

        @Override
        public String toString() {
            return java.util.HexFormat.of().formatHex(bytes);
        }
    }

    private final String head;
    private final List<String> ports;
    private final Map<NftFlowShape, Shape> shapes = new HashMap<>();
    private final Map<Long, Placed> placed = new HashMap<>();

    NftFlowMaps(String head, List<String> ports) {
        this.head = head;
        this.ports = List.copyOf(ports);
    }

    boolean owns(String table) {
        return NftFlowShape.isTable(head, table);
    }

    /** Whether the flow with this id is a set element now. */
    boolean holds(long id) {
        return placed.containsKey(id);
    }

    /** Whether the flow with this id, now {@code rule} (null: gone), would leave the element it is. */
    boolean leaves(long id, NftFlowCompiler.NumberedRule rule) {
        Placed p = placed.get(id);
        if (p == null) {
            return false;
        }
        NftFlowShape shape = rule == null ? null : NftFlowShape.of(rule.rule());
        return shape == null || !shape.equals(p.shape)
                || !java.util.Arrays.equals(shape.key(rule.rule().match()), p.key.bytes());
    }

    /** Records that a whole load made the kernel hold these element flows (rules of other kinds are skipped). */
    void loaded(Collection<NftFlowCompiler.NumberedRule> rules, Map<String, String> diverted) {
        shapes.clear();
        placed.clear();
        for (NftFlowCompiler.NumberedRule r : rules) {
            NftFlowShape shape = NftFlowShape.of(r.rule());
            if (shape == null) {
                continue;
            }
            Shape s = shapes.computeIfAbsent(shape, k -> newShape(k, diverted));
            ElementKey key = new ElementKey(shape.key(r.rule().match()));
            List<Long> ids = s.ids.computeIfAbsent(key, k -> new ArrayList<>(1));
            ids.add(r.id());
            ids.sort(null);
            placed.put(r.id(), new Placed(shape, key));
        }
    }

    private Shape newShape(NftFlowShape shape, Map<String, String> diverted) {
        Shape s = new Shape(shape.table(head));
        s.targets.putAll(targets(shape, diverted));
        return s;
    }

    private Map<Integer, List<String>> targets(NftFlowShape shape, Map<String, String> diverted) {
        Map<Integer, List<String>> t = new HashMap<>();
        for (int i = 0; i < ports.size(); i++) {
            if (shape.appliesTo(ports.get(i))) {
                t.put(i, NftFlowCompiler.targets(shape.action(), ports.get(i), ports, diverted));
            }
        }
        return t;
    }

    /** Flows leaving and joining the elements of one shape within a transaction. */
    private static final class Change {
        final List<Placed> leaving = new ArrayList<>();
        final List<Long> leavingIds = new ArrayList<>();
        final List<ElementKey> joiningKeys = new ArrayList<>();
        final List<Long> joiningIds = new ArrayList<>();
    }

    /** What {@link #stageShape} returns when the change needs a listing it may not make. */
    private static final Runnable NEEDS_LISTING = () -> {
    };

    /**
     * Adds to {@code tx} what makes the kernel's elements match {@code current} for the {@code changed} ids (a flow
     * no longer an element, or gone, is deleted; one that became one is added, starting from {@code carried}
     * counts when it moved). Flows of one shape with equal keys share one element, which counts for the first of
     * them (as only the first of equal rules would match). Returns what records the change once the transaction is
     * committed.
     */
    Runnable stage(NftNetlink.Transaction tx, NftNetlink netlink, Map<Long, NftFlowCompiler.NumberedRule> current,
            Collection<Long> changed, Map<String, String> diverted, ToIntFunction<String> ifindex,
            Map<Long, long[]> carried) {
        return stage(tx, netlink, current, changed, diverted, ifindex, carried, true);
    }

    /**
     * As {@link #stage(NftNetlink.Transaction, NftNetlink, Map, Collection, Map, ToIntFunction, Map)}; without
     * {@code mayList}, returns null when the change needs a listing of the kernel's rules (a shape's lookup rules
     * send elsewhere now), leaving {@code tx} to be dropped.
     */
    Runnable stage(NftNetlink.Transaction tx, NftNetlink netlink, Map<Long, NftFlowCompiler.NumberedRule> current,
            Collection<Long> changed, Map<String, String> diverted, ToIntFunction<String> ifindex,
            Map<Long, long[]> carried, boolean mayList) {
        // Small methods, each over one kind of collection: this runs for every change, and one large method that
        // callers reach with different collections was compiled again and again (seconds of C2 in a short run).
        Map<NftFlowShape, Change> changes = classify(current, ids(changed));
        List<Runnable> after = new ArrayList<>();
        for (Map.Entry<NftFlowShape, Change> e : changes.entrySet()) {
            Runnable recorded = stageShape(tx, netlink, e.getKey(), e.getValue(), diverted, ifindex, carried, mayList);
            if (recorded == NEEDS_LISTING) {
                return null;
            }
            if (recorded != null) {
                after.add(recorded);
            }
        }
        return () -> {
            // Every flow leaves its old place before any joins its new one (it may move between shapes).
            for (Change c : changes.values()) {
                for (Long id : c.leavingIds) {
                    placed.remove(id);
                }
            }
            for (Runnable r : after) {
                r.run();
            }
        };
    }

    private static long[] ids(Collection<Long> changed) {
        long[] ids = new long[changed.size()];
        int i = 0;
        for (Long id : changed) {
            ids[i++] = id;
        }
        return ids;
    }

    /** The changed flows by the shape they leave or join. */
    private Map<NftFlowShape, Change> classify(Map<Long, NftFlowCompiler.NumberedRule> current, long[] changed) {
        Map<NftFlowShape, Change> changes = new LinkedHashMap<>();
        for (long id : changed) {
            NftFlowCompiler.NumberedRule r = current.get(id);
            NftFlowShape shape = r == null ? null : NftFlowShape.of(r.rule());
            ElementKey key = shape == null ? null : new ElementKey(shape.key(r.rule().match()));
            Placed was = placed.get(id);
            boolean same = was != null && shape != null && was.shape.equals(shape) && was.key.equals(key);
            if (was != null && !same) {
                Change c = changes.computeIfAbsent(was.shape, k -> new Change());
                c.leaving.add(was);
                c.leavingIds.add(id);
            }
            if (shape != null && !same) {
                Change c = changes.computeIfAbsent(shape, k -> new Change());
                c.joiningKeys.add(key);
                c.joiningIds.add(id);
            } else if (same) {
                changes.computeIfAbsent(shape, k -> new Change());
            }
        }
        return changes;
    }

    /**
     * Adds one shape's change to {@code tx}. Returns what records it once committed, null when there is nothing to
     * do, or {@link #NEEDS_LISTING}.
     */
    private Runnable stageShape(NftNetlink.Transaction tx, NftNetlink netlink, NftFlowShape shape, Change c,
            Map<String, String> diverted, ToIntFunction<String> ifindex, Map<Long, long[]> carried,
            boolean mayList) {
        Shape existing = shapes.get(shape);
        Shape s = existing != null ? existing : newShape(shape, diverted);
        Map<ElementKey, List<Long>> touched = touched(s, c);
        List<byte[]> deleted = new ArrayList<>();
        List<byte[]> added = new ArrayList<>();
        List<long[]> counts = new ArrayList<>();
        int remaining = s.ids.size();
        for (Map.Entry<ElementKey, List<Long>> t : touched.entrySet()) {
            boolean before = s.ids.containsKey(t.getKey());
            boolean now = !t.getValue().isEmpty();
            if (before && !now) {
                deleted.add(t.getKey().bytes());
                remaining--;
            } else if (!before && now) {
                added.add(t.getKey().bytes());
                counts.add(carried.get(t.getValue().getFirst()));
                remaining++;
            }
        }
        Map<Integer, List<String>> wanted = targets(shape, diverted);
        if (existing == null) {
            if (remaining == 0) {
                return null;
            }
            createTable(tx, shape, s, diverted, ifindex);
            tx.addElements(s.table, NftFlowShape.SET, added, counts);
        } else if (remaining == 0) {
            tx.deleteTable(s.table);
        } else {
            if (!deleted.isEmpty()) {
                tx.deleteElements(s.table, NftFlowShape.SET, deleted);
            }
            if (!added.isEmpty()) {
                tx.addElements(s.table, NftFlowShape.SET, added, counts);
            }
            if (!wanted.equals(s.targets)) {
                if (!mayList) {
                    return NEEDS_LISTING;
                }
                replaceLookups(tx, netlink, shape, s, wanted, diverted, ifindex);
            }
        }
        int left = remaining;
        return () -> record(shape, s, c, touched, wanted, left);
    }

    /** The flows of each key the change touches, as they will be afterwards. */
    private static Map<ElementKey, List<Long>> touched(Shape s, Change c) {
        Map<ElementKey, List<Long>> touched = new LinkedHashMap<>();
        for (int i = 0; i < c.leaving.size(); i++) {
            List<Long> ids = touched.computeIfAbsent(c.leaving.get(i).key, k -> mutableCopy(s.ids.get(k)));
            ids.remove(c.leavingIds.get(i));
        }
        for (int i = 0; i < c.joiningKeys.size(); i++) {
            List<Long> ids = touched.computeIfAbsent(c.joiningKeys.get(i), k -> mutableCopy(s.ids.get(k)));
            ids.add(c.joiningIds.get(i));
            if (ids.size() > 1) {
                ids.sort(null);
            }
        }
        return touched;
    }

    /** Records a shape's committed change: its keys' flows, where its flows are, what its lookups send to. */
    private void record(NftFlowShape shape, Shape s, Change c, Map<ElementKey, List<Long>> touched,
            Map<Integer, List<String>> wanted, int left) {
        if (left == 0) {
            shapes.remove(shape);
            return;
        }
        shapes.put(shape, s);
        for (Map.Entry<ElementKey, List<Long>> t : touched.entrySet()) {
            if (t.getValue().isEmpty()) {
                s.ids.remove(t.getKey());
            } else {
                // Kept for the life of the flows: the compact immutable form (mostly of one id).
                s.ids.put(t.getKey(), List.copyOf(t.getValue()));
            }
        }
        for (int i = 0; i < c.joiningIds.size(); i++) {
            placed.put(c.joiningIds.get(i), new Placed(shape, c.joiningKeys.get(i)));
        }
        s.targets.clear();
        s.targets.putAll(wanted);
    }

    private static List<Long> mutableCopy(List<Long> ids) {
        return ids == null ? new ArrayList<>(2) : new ArrayList<>(ids);
    }

    private void createTable(NftNetlink.Transaction tx, NftFlowShape shape, Shape s, Map<String, String> diverted,
            ToIntFunction<String> ifindex) {
        tx.addTable(s.table);
        tx.addCountingSet(s.table, NftFlowShape.SET, shape.keyType(), shape.keyLength());
        for (int i = 0; i < ports.size(); i++) {
            if (!shape.appliesTo(ports.get(i))) {
                continue;
            }
            String chain = NftFlowCompiler.chainName(i);
            tx.addIngressChain(s.table, chain, ports.get(i), shape.hookPriority());
            tx.addFixedRule(s.table, chain, NftRuleEncoder.passMarked());
            tx.addCommentedRule(s.table, chain, NftRuleEncoder.encodeLookup(shape, ports.get(i), ports, diverted,
                    ifindex), NftFlowShape.LOOKUP_COMMENT);
        }
    }

    /** Replaces the lookup rules whose outputs changed (a hold began or ended), found by a listing. */
    private void replaceLookups(NftNetlink.Transaction tx, NftNetlink netlink, NftFlowShape shape, Shape s,
            Map<Integer, List<String>> wanted, Map<String, String> diverted, ToIntFunction<String> ifindex) {
        Map<String, Long> handles = new HashMap<>();
        for (NftNetlink.KernelRule k : netlink.rules(s.table)) {
            if (NftFlowShape.LOOKUP_COMMENT.equals(k.comment())) {
                handles.put(k.chain(), k.handle());
            }
        }
        for (Map.Entry<Integer, List<String>> w : wanted.entrySet()) {
            if (java.util.Objects.equals(w.getValue(), s.targets.get(w.getKey()))) {
                continue;
            }
            String chain = NftFlowCompiler.chainName(w.getKey());
            Long handle = handles.get(chain);
            if (handle == null) {
                throw new IllegalStateException("the lookup rule of " + s.table + " " + chain + " is missing");
            }
            tx.replaceRule(s.table, chain, handle, NftRuleEncoder.encodeLookup(shape, ports.get(w.getKey()), ports,
                    diverted, ifindex), NftFlowShape.LOOKUP_COMMENT);
        }
    }

    /** The packets and bytes of every element flow, by id, read from the kernel now. */
    Map<Long, long[]> counters(NftNetlink netlink) {
        return countersOf(netlink, shapes.values());
    }

    /** As {@link #counters(NftNetlink)}, reading only the sets the flows with these ids are elements of. */
    Map<Long, long[]> counters(NftNetlink netlink, Collection<Long> ids) {
        java.util.Set<Shape> of = new java.util.HashSet<>();
        for (long id : ids) {
            Placed p = placed.get(id);
            if (p != null && shapes.containsKey(p.shape)) {
                of.add(shapes.get(p.shape));
            }
        }
        return countersOf(netlink, of);
    }

    private static Map<Long, long[]> countersOf(NftNetlink netlink, Collection<Shape> of) {
        Map<Long, long[]> counters = new HashMap<>();
        for (Shape s : of) {
            List<NftNetlink.SetElement> elements;
            try {
                elements = netlink.elements(s.table, NftFlowShape.SET);
            } catch (IllegalStateException e) {
                // The table is not in the kernel (a whole load failed after deleting it): nothing counted there.
                continue;
            }
            for (NftNetlink.SetElement e : elements) {
                List<Long> ids = e.key() == null ? null : s.ids.get(new ElementKey(e.key()));
                if (ids != null) {
                    counters.put(ids.getFirst(), new long[] {e.packets(), e.bytes()});
                }
            }
        }
        return counters;
    }
}
