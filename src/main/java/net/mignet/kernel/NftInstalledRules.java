package net.mignet.kernel;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToIntFunction;
import net.mignet.flow.FlowRule;

/**
 * What the kernel holds of one switch's flow table: its slices ({@link NftShard}), and in each, per port chain,
 * the rules in the order the switch tries them, each with its nf_tables handle. Turns changes of single rules
 * into one netlink transaction that deletes, replaces and inserts just those rules at their place (before the
 * next rule of the slice), adding a slice's table when its first rule comes and deleting it with its last. A
 * change then costs about the same with 10 rules as with 10 000, and unchanged rules keep their counters and
 * never stop matching.
 */
public final class NftInstalledRules {
    /** Table order: priority descending, then the order rules were added (their ids). */
    private record Key(int priority, long id) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = Integer.compare(o.priority, priority);
            return c != 0 ? c : Long.compare(id, o.id);
        }

        NftShard shard() {
            return NftShard.of(priority, id);
        }
    }

    /** What decides a rule's expressions in one chain: the rule and where its frames go. */
    private record Content(FlowRule rule, List<String> targets) {
    }

    private static final class Installed {
        final Content content;
        long handle;
        /** The rule's id within the transaction that adds it (0 once the kernel has it). */
        int pendingId;

        Installed(Content content, long handle) {
            this.content = content;
            this.handle = handle;
        }
    }

    /** One slice's table: per port chain, its rules. */
    private final class Slice {
        final String table;
        final List<NavigableMap<Key, Installed>> chains = new ArrayList<>();
        /** The ids of the rules in the slice (in one chain or more). */
        final Set<Long> ids = new HashSet<>();
        /** The last handle the kernel gave in the slice's table, or -1 when not known (see NftNetlink). */
        long generator = -1;

        Slice(NftShard shard) {
            this.table = shard.table(head);
            ports.forEach(p -> chains.add(new TreeMap<>()));
        }
    }

    private final String head;
    private final List<String> ports;
    private final NavigableMap<NftShard, Slice> slices = new TreeMap<>();
    private final Map<Long, Key> keys = new HashMap<>();
    /** The flows stored as set elements instead of rules. */
    private final NftFlowMaps maps;
    /** False after a load by an nft script: handles are fetched by a listing before the next change. */
    private boolean handlesKnown;
    /** False when what the kernel holds is not known (a transaction failed): load the whole table. */
    private boolean known;

    /** {@code head}: the switch's head table, whose name prefixes its slices' tables. */
    public NftInstalledRules(String head, List<String> ports) {
        this.head = head;
        this.ports = List.copyOf(ports);
        this.maps = new NftFlowMaps(head, ports);
    }

    /** Whether changes can be applied one by one; false until the table was loaded whole. */
    public boolean known() {
        return known;
    }

    /** The ids of the rules the kernel holds. */
    public Set<Long> ids() {
        return Set.copyOf(keys.keySet());
    }

    /** Whether {@code table} is the head table, one of its slices or its tail. */
    public boolean owns(String table) {
        return table.equals(head) || table.equals(NftPacketIn.tailTable(head)) || NftShard.parse(head, table) != null
                || maps.owns(table);
    }

    /**
     * Records that the whole table was loaded (by {@link NftFlowCompiler}'s script) with {@code rules} and outputs
     * to {@code diverted} ports going to their devices. Handles are fetched when first needed.
     */
    public void loaded(Collection<NftFlowCompiler.NumberedRule> rules, Map<String, String> diverted) {
        slices.clear();
        keys.clear();
        maps.loaded(rules, diverted);
        for (NftFlowCompiler.NumberedRule r : rules) {
            if (NftFlowShape.of(r.rule()) != null) {
                continue;
            }
            Key key = new Key(r.rule().priority(), r.id());
            keys.put(r.id(), key);
            Slice slice = slices.computeIfAbsent(key.shard(), Slice::new);
            slice.ids.add(r.id());
            for (int i = 0; i < ports.size(); i++) {
                Content c = content(r.rule(), ports.get(i), diverted);
                if (c != null) {
                    slice.chains.get(i).put(key, new Installed(c, -1));
                }
            }
        }
        handlesKnown = false;
        known = true;
    }

    /** Forgets what the kernel holds: the next change must load the whole table. */
    public void forget() {
        known = false;
    }

    /**
     * Makes the kernel hold, for every id of {@code changed}, the rule {@code current} has under it (or none when
     * it has none), in one transaction. Throws when the kernel refuses; what it holds is then unknown
     * ({@link #known()} is false) though unchanged, as the transaction was not applied.
     */
    public void apply(NftNetlink netlink, Map<Long, NftFlowCompiler.NumberedRule> current, Collection<Long> changed,
            Map<String, String> diverted, ToIntFunction<String> ifindex) {
        if (!known) {
            throw new IllegalStateException("the kernel's table " + head + " is not known; load it whole first");
        }
        if (changed.isEmpty()) {
            return;
        }
        try {
            // Flows of a shape are set elements (NftFlowMaps), the others rules; a flow that moves between the two,
            // or between shapes, takes its counts along.
            Map<Long, NftFlowCompiler.NumberedRule> allCurrent = current;
            Collection<Long> allChanged = changed;
            current = new HashMap<>();
            changed = new ArrayList<>();
            boolean rulesMove = false;
            List<Long> elementsMoving = new ArrayList<>();
            for (long id : allChanged) {
                NftFlowCompiler.NumberedRule r = allCurrent.get(id);
                boolean element = r != null && NftFlowShape.of(r.rule()) != null;
                if (r != null && !element) {
                    current.put(id, r);
                }
                if (keys.containsKey(id) || (r != null && !element)) {
                    changed.add(id);
                }
                if (r != null && element && keys.containsKey(id)) {
                    rulesMove = true;
                } else if (r != null && maps.leaves(id, r)) {
                    elementsMoving.add(id);
                }
            }
            Map<Long, long[]> carried = new HashMap<>();
            if (!elementsMoving.isEmpty()) {
                carried.putAll(maps.counters(netlink, elementsMoving));
            }
            if (rulesMove) {
                carried.putAll(ruleCounters(netlink));
            }
            if (!handlesKnown) {
                fetchHandles(netlink);
            }
            NftNetlink.Transaction tx = netlink.begin();
            Map<NftShard, List<Long>> byShard = new LinkedHashMap<>();
            for (long id : changed) {
                NftFlowCompiler.NumberedRule r = current.get(id);
                Key old = keys.get(id);
                Key key = r == null ? old : new Key(r.rule().priority(), id);
                if (key != null) {
                    byShard.computeIfAbsent(key.shard(), s -> new ArrayList<>()).add(id);
                }
            }
            int[] nextPendingId = {1};
            for (Map.Entry<NftShard, List<Long>> e : byShard.entrySet()) {
                changeSlice(tx, e.getKey(), e.getValue(), current, diverted, ifindex, nextPendingId, carried);
            }
            Runnable elementsChanged = maps.stage(tx, netlink, allCurrent, allChanged, diverted, ifindex, carried);
            for (long id : changed) {
                NftFlowCompiler.NumberedRule r = current.get(id);
                if (r == null) {
                    keys.remove(id);
                } else {
                    keys.put(id, new Key(r.rule().priority(), id));
                }
            }
            NftNetlink.Committed done = tx.commit();
            elementsChanged.run();
            for (NftNetlink.KernelRule k : done.added()) {
                Installed in = find(k);
                if (in != null) {
                    in.handle = k.handle();
                    in.pendingId = 0;
                }
            }
            for (NftShard shard : byShard.keySet()) {
                Slice slice = slices.get(shard);
                if (slice != null) {
                    slice.generator = done.complete() ? tx.generator(slice.table) : -1;
                }
            }
            if (!done.complete()) {
                handlesKnown = false;
            }
        } catch (RuntimeException e) {
            known = false;
            throw e;
        }
    }

    /**
     * For changes that only add and delete set elements (no rule changes, no flow that moves to another element
     * with its counts, no lookup rule that changes): builds their transaction and records them as if the kernel
     * had applied it, so that the next changes can be staged while it is committed. Returns null, recording
     * nothing, for other changes (see {@link #apply}). The caller commits the transactions in the order staged;
     * when the kernel refuses one, what it holds is no longer known: call {@link #forget} and load the whole table.
     */
    public NftNetlink.Transaction stageElements(NftNetlink netlink, Map<Long, NftFlowCompiler.NumberedRule> current,
            Collection<Long> changed, Map<String, String> diverted, ToIntFunction<String> ifindex) {
        if (!known || changed.isEmpty()) {
            return null;
        }
        for (long id : changed) {
            NftFlowCompiler.NumberedRule r = current.get(id);
            if (keys.containsKey(id) || (r != null && (NftFlowShape.of(r.rule()) == null || maps.leaves(id, r)))) {
                return null;
            }
        }
        NftNetlink.Transaction tx = netlink.begin();
        Runnable staged = maps.stage(tx, netlink, current, changed, diverted, ifindex, Map.of(), false);
        if (staged == null) {
            return null;
        }
        staged.run();
        return tx;
    }

    private void changeSlice(NftNetlink.Transaction tx, NftShard shard, List<Long> ids,
            Map<Long, NftFlowCompiler.NumberedRule> current, Map<String, String> diverted,
            ToIntFunction<String> ifindex, int[] nextPendingId, Map<Long, long[]> carried) {
        Slice slice = slices.get(shard);
        boolean created = slice == null;
        if (!created) {
            tx.knowGenerator(slice.table, slice.generator);
        } else {
            slice = new Slice(shard);
            slices.put(shard, slice);
            tx.addTable(slice.table);
            for (int i = 0; i < ports.size(); i++) {
                String chain = NftFlowCompiler.chainName(i);
                tx.addIngressChain(slice.table, chain, ports.get(i), shard.hookPriority());
                tx.addFixedRule(slice.table, chain, NftRuleEncoder.passMarked());
            }
        }
        List<NftFlowCompiler.NumberedRule> addedRules = new ArrayList<>();
        List<Long> goneCounters = new ArrayList<>();
        for (long id : ids) {
            NftFlowCompiler.NumberedRule r = current.get(id);
            boolean had = keys.containsKey(id);
            if (r != null && !had) {
                addedRules.add(r);
            } else if (r == null && had) {
                goneCounters.add(id);
            }
        }
        if (!created && !slice.ids.isEmpty() && wouldEmpty(slice, ids, current)) {
            // Its last rules go: the table goes with them, chains, rules and counters.
            tx.deleteTable(slice.table);
            slices.remove(shard);
            return;
        }
        for (NftFlowCompiler.NumberedRule r : addedRules) {
            long[] c = carried.getOrDefault(r.id(), new long[2]);
            tx.addCounter(slice.table, NftFlowCompiler.counterName(r.id()), c[0], c[1]);
        }
        List<Runnable> replacements = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++) {
            String chain = NftFlowCompiler.chainName(i);
            String port = ports.get(i);
            NavigableMap<Key, Installed> installed = slice.chains.get(i);
            List<Key> added = new ArrayList<>();
            for (long id : ids) {
                NftFlowCompiler.NumberedRule r = current.get(id);
                Key old = keys.get(id);
                Installed was = old == null ? null : installed.get(old);
                Content wanted = r == null ? null : content(r.rule(), port, diverted);
                if (was != null && wanted == null) {
                    tx.deleteRule(slice.table, chain, was.handle);
                    installed.remove(old);
                } else if (was != null && !was.content.equals(wanted)) {
                    // Until the kernel echoes its new handle, the replacement stands at the old one's place.
                    Installed now = new Installed(wanted, was.handle);
                    installed.put(old, now);
                    byte[] expressions = NftRuleEncoder.encode(r, port, ports, diverted, ifindex);
                    long handle = was.handle;
                    String table = slice.table;
                    replacements.add(() -> tx.replaceRule(table, chain, handle, expressions,
                            NftFlowCompiler.counterName(id)));
                } else if (was == null && wanted != null) {
                    Key key = new Key(r.rule().priority(), id);
                    Installed now = new Installed(wanted, -1);
                    now.pendingId = nextPendingId[0]++;
                    installed.put(key, now);
                    added.add(key);
                }
            }
            if (added.isEmpty()) {
                continue;
            }
            // In table order, each new rule goes just before the next rule the kernel has already (replaced ones
            // included: their replacements come after the additions), or at the end: new rules that follow each
            // other then line up in order without naming each other.
            added.sort(Comparator.naturalOrder());
            Map<Key, Long> nextExisting = new HashMap<>();
            long next = -1;
            for (Map.Entry<Key, Installed> e : installed.tailMap(added.getFirst(), true).descendingMap().entrySet()) {
                if (e.getValue().handle < 0) {
                    nextExisting.put(e.getKey(), next);
                } else {
                    next = e.getValue().handle;
                }
            }
            for (Key key : added) {
                long before = nextExisting.get(key);
                NftNetlink.Position position = before < 0 ? new NftNetlink.Position.End()
                        : new NftNetlink.Position.Before(before);
                Installed in = installed.get(key);
                long handle = tx.addRule(slice.table, chain, position, in.pendingId,
                        NftRuleEncoder.encode(current.get(key.id()), port, ports, diverted, ifindex),
                        NftFlowCompiler.counterName(key.id()));
                in.handle = handle;
            }
        }
        replacements.forEach(Runnable::run);
        for (long id : goneCounters) {
            tx.deleteCounter(slice.table, NftFlowCompiler.counterName(id));
        }
        for (NftFlowCompiler.NumberedRule r : addedRules) {
            slice.ids.add(r.id());
        }
        slice.ids.removeAll(goneCounters);
    }

    /** The packets and bytes of every flow (rule or element) by id, read from the kernel now. */
    public Map<Long, long[]> counters(NftNetlink netlink) {
        Map<Long, long[]> counters = ruleCounters(netlink);
        // A flow that became an element in a whole load may have left its rule's counter behind (flushing a table
        // keeps its counters): the element's counts are the flow's.
        counters.putAll(maps.counters(netlink));
        return counters;
    }

    /** The packets and bytes of the flows stored as rules, by id, read from the kernel now. */
    private Map<Long, long[]> ruleCounters(NftNetlink netlink) {
        Map<Long, long[]> counters = new HashMap<>();
        for (Map.Entry<String, long[]> e : netlink.counters(this::owns).entrySet()) {
            String name = e.getKey();
            if (name.startsWith("r")) {
                try {
                    counters.put(Long.parseLong(name.substring(1)), e.getValue());
                } catch (NumberFormatException ignored) {
                    // Not a flow's counter.
                }
            }
        }
        return counters;
    }

    /** Whether the slice holds no rule once {@code ids} are as {@code current} says. */
    private static boolean wouldEmpty(Slice slice, List<Long> ids, Map<Long, NftFlowCompiler.NumberedRule> current) {
        int leaving = 0;
        for (long id : ids) {
            if (current.containsKey(id)) {
                return false;
            }
            if (slice.ids.contains(id)) {
                leaving++;
            }
        }
        return leaving == slice.ids.size();
    }

    /**
     * Where the handles this object holds differ from the kernel's (each as "table chain rule: handle
     * expected/actual"), read by a listing; empty when they agree. For tests of the predicted handles.
     */
    public List<String> handleMismatches(NftNetlink netlink) {
        List<String> mismatches = new ArrayList<>();
        for (Slice slice : slices.values()) {
            Map<String, Long> actual = new HashMap<>();
            for (NftNetlink.KernelRule k : netlink.rules(slice.table)) {
                if (k.comment() != null && k.comment().startsWith("r")) {
                    actual.put(k.chain() + " " + k.comment(), k.handle());
                }
            }
            for (int i = 0; i < ports.size(); i++) {
                for (Map.Entry<Key, Installed> e : slice.chains.get(i).entrySet()) {
                    String rule = NftFlowCompiler.chainName(i) + " " + NftFlowCompiler.counterName(e.getKey().id());
                    Long handle = actual.remove(rule);
                    long expected = e.getValue().handle;
                    if (handlesKnown && (handle == null || handle != expected)) {
                        mismatches.add(slice.table + " " + rule + ": handle " + expected + "/" + handle);
                    }
                }
            }
            actual.keySet().forEach(rule -> mismatches.add(slice.table + " " + rule + ": not expected"));
        }
        return mismatches;
    }

    /** Fills in the handles of every rule from a listing of the kernel's tables. */
    private void fetchHandles(NftNetlink netlink) {
        for (Slice slice : slices.values()) {
            for (NftNetlink.KernelRule k : netlink.rules(slice.table)) {
                Installed in = find(k);
                if (in != null) {
                    in.handle = k.handle();
                }
            }
            for (NavigableMap<Key, Installed> chain : slice.chains) {
                for (Map.Entry<Key, Installed> e : chain.entrySet()) {
                    if (e.getValue().handle < 0) {
                        throw new IllegalStateException("rule r" + e.getKey().id() + " is not in the kernel's table "
                                + slice.table);
                    }
                }
            }
        }
        handlesKnown = true;
    }

    private Installed find(NftNetlink.KernelRule k) {
        if (k.table() == null || k.chain() == null || !k.chain().startsWith("port") || k.comment() == null
                || !k.comment().startsWith("r")) {
            return null;
        }
        int index;
        long id;
        try {
            index = Integer.parseInt(k.chain().substring(4));
            id = Long.parseLong(k.comment().substring(1));
        } catch (NumberFormatException e) {
            return null;
        }
        Key key = keys.get(id);
        Slice slice = key == null ? null : slices.get(key.shard());
        return slice == null || !slice.table.equals(k.table()) || index >= ports.size() ? null
                : slice.chains.get(index).get(key);
    }

    /** What the rule is in the chain of {@code port}, or null when it is not in that chain. */
    private Content content(FlowRule rule, String port, Map<String, String> diverted) {
        String inPort = rule.match().inPort();
        if (inPort != null && !inPort.equals(port)) {
            return null;
        }
        return new Content(rule, NftFlowCompiler.targets(rule.action(), port, ports, diverted));
    }
}
