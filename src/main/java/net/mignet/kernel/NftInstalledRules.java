package net.mignet.kernel;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToIntFunction;
import net.mignet.flow.FlowRule;

/**
 * What the kernel holds of one switch's flow table: per port chain, the rules in the order the switch tries them,
 * each with its nf_tables handle. Turns changes of single rules into one netlink transaction that deletes, replaces
 * and inserts just those rules at their place (before the first rule of lower priority, or of equal priority but
 * added later), so a change costs the same with 10 rules as with 10 000 and unchanged rules keep their counters
 * and never stop matching.
 */
public final class NftInstalledRules {
    /** Table order: priority descending, then the order rules were added (their ids). */
    private record Key(int priority, long id) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = Integer.compare(o.priority, priority);
            return c != 0 ? c : Long.compare(id, o.id);
        }
    }

    /** What decides a rule's expressions in one chain: the rule and where its frames go. */
    private record Content(FlowRule rule, List<String> targets) {
    }

    private static final class Installed {
        final Content content;
        long handle;
        /** The rule's id within the transaction that adds it, so rules added after it can be placed before it. */
        int pendingId;

        Installed(Content content, long handle) {
            this.content = content;
            this.handle = handle;
        }
    }

    private final String table;
    private final List<String> ports;
    private final List<NavigableMap<Key, Installed>> chains = new ArrayList<>();
    private final Map<Long, Key> keys = new HashMap<>();
    private final Set<Long> counters = new HashSet<>();
    /** False after a load by an nft script: handles are fetched by a listing before the next change. */
    private boolean handlesKnown;
    /** False when what the kernel holds is not known (a transaction failed midway): load the whole table. */
    private boolean known;

    public NftInstalledRules(String table, List<String> ports) {
        this.table = table;
        this.ports = List.copyOf(ports);
        ports.forEach(p -> chains.add(new TreeMap<>()));
    }

    /** Whether changes can be applied one by one; false until the table was loaded whole. */
    public boolean known() {
        return known;
    }

    /** The ids whose counters exist in the kernel. */
    public Set<Long> counterIds() {
        return Set.copyOf(counters);
    }

    /**
     * Records that the whole table was loaded (by {@link NftFlowCompiler}'s script) with {@code rules} and outputs
     * to {@code diverted} ports going to their devices. Handles are fetched when first needed.
     */
    public void loaded(Collection<NftFlowCompiler.NumberedRule> rules, Map<String, String> diverted) {
        chains.forEach(Map::clear);
        keys.clear();
        counters.clear();
        for (NftFlowCompiler.NumberedRule r : rules) {
            Key key = new Key(r.rule().priority(), r.id());
            keys.put(r.id(), key);
            counters.add(r.id());
            for (int i = 0; i < ports.size(); i++) {
                Content c = content(r.rule(), ports.get(i), diverted);
                if (c != null) {
                    chains.get(i).put(key, new Installed(c, -1));
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
            throw new IllegalStateException("the kernel's table " + table + " is not known; load it whole first");
        }
        if (changed.isEmpty()) {
            return;
        }
        Set<Long> countersBefore = Set.copyOf(counters);
        try {
            if (!handlesKnown) {
                fetchHandles(netlink);
            }
            NftNetlink.Transaction tx = netlink.begin(table);
            List<Long> goneCounters = new ArrayList<>();
            for (long id : changed) {
                boolean wanted = current.containsKey(id);
                if (wanted && !counters.contains(id)) {
                    tx.addCounter(NftFlowCompiler.counterName(id));
                    counters.add(id);
                } else if (!wanted && counters.contains(id)) {
                    goneCounters.add(id);
                }
            }
            List<Runnable> placements = new ArrayList<>();
            int nextPendingId = 1;
            for (int i = 0; i < ports.size(); i++) {
                String chain = NftFlowCompiler.chainName(i);
                String port = ports.get(i);
                NavigableMap<Key, Installed> installed = chains.get(i);
                List<Key> added = new ArrayList<>();
                for (long id : changed) {
                    NftFlowCompiler.NumberedRule r = current.get(id);
                    Key old = keys.get(id);
                    Installed was = old == null ? null : installed.get(old);
                    Content wanted = r == null ? null : content(r.rule(), port, diverted);
                    if (was != null && wanted == null) {
                        tx.deleteRule(chain, was.handle);
                        installed.remove(old);
                    } else if (was != null && !was.content.equals(wanted)) {
                        // The replacement gets a transaction id too: a rule added before it must name it, not
                        // the replaced rule, which stays behind it until the transaction ends.
                        Installed now = new Installed(wanted, -1);
                        now.pendingId = nextPendingId++;
                        tx.replaceRule(chain, was.handle, now.pendingId, encode(r, port, diverted, ifindex),
                                NftFlowCompiler.counterName(id));
                        installed.put(old, now);
                    } else if (was == null && wanted != null) {
                        Key key = new Key(r.rule().priority(), id);
                        Installed now = new Installed(wanted, -1);
                        now.pendingId = nextPendingId++;
                        installed.put(key, now);
                        added.add(key);
                    }
                }
                // From the end of the chain backwards: each rule goes before its successor, which is either there
                // already (its handle) or was added just before in this transaction (its transaction id).
                added.sort(java.util.Comparator.reverseOrder());
                for (Key key : added) {
                    Installed now = installed.get(key);
                    Map.Entry<Key, Installed> next = installed.higherEntry(key);
                    NftNetlink.Position position = next == null ? new NftNetlink.Position.End()
                            : next.getValue().handle >= 0 ? new NftNetlink.Position.Before(next.getValue().handle)
                            : new NftNetlink.Position.BeforeNew(next.getValue().pendingId);
                    tx.addRule(chain, position, now.pendingId, encode(current.get(key.id()), port, diverted, ifindex),
                            NftFlowCompiler.counterName(key.id()));
                }
            }
            for (long id : goneCounters) {
                tx.deleteCounter(NftFlowCompiler.counterName(id));
                counters.remove(id);
            }
            for (long id : changed) {
                NftFlowCompiler.NumberedRule r = current.get(id);
                if (r == null) {
                    keys.remove(id);
                } else {
                    keys.put(id, new Key(r.rule().priority(), id));
                }
            }
            NftNetlink.Committed done = tx.commit();
            for (NftNetlink.KernelRule k : done.added()) {
                Installed in = find(k);
                if (in != null) {
                    in.handle = k.handle();
                    in.pendingId = 0;
                }
            }
            if (!done.complete()) {
                handlesKnown = false;
            }
        } catch (RuntimeException e) {
            // The transaction was not applied: the counters are as they were; the chains' handles are unknown.
            counters.clear();
            counters.addAll(countersBefore);
            known = false;
            throw e;
        }
    }

    /** Fills in the handles of every rule from a listing of the kernel's table. */
    private void fetchHandles(NftNetlink netlink) {
        for (NftNetlink.KernelRule k : netlink.rules(table)) {
            Installed in = find(k);
            if (in != null) {
                in.handle = k.handle();
            }
        }
        for (NavigableMap<Key, Installed> chain : chains) {
            for (Map.Entry<Key, Installed> e : chain.entrySet()) {
                if (e.getValue().handle < 0) {
                    throw new IllegalStateException("rule r" + e.getKey().id() + " of " + table
                            + " is not in the kernel's table");
                }
            }
        }
        handlesKnown = true;
    }

    private Installed find(NftNetlink.KernelRule k) {
        if (k.chain() == null || !k.chain().startsWith("port") || k.comment() == null
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
        return key == null || index >= chains.size() ? null : chains.get(index).get(key);
    }

    /** What the rule is in the chain of {@code port}, or null when it is not in that chain. */
    private Content content(FlowRule rule, String port, Map<String, String> diverted) {
        String inPort = rule.match().inPort();
        if (inPort != null && !inPort.equals(port)) {
            return null;
        }
        return new Content(rule, NftFlowCompiler.targets(rule.action(), port, ports, diverted));
    }

    private byte[] encode(NftFlowCompiler.NumberedRule r, String port, Map<String, String> diverted,
            ToIntFunction<String> ifindex) {
        return NftRuleEncoder.encode(r, port, ports, diverted, ifindex);
    }
}
