package net.mignet.net;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.mignet.flow.FlowAction;
import net.mignet.flow.FlowMatch;
import net.mignet.flow.FlowRule;
import net.mignet.flow.SetField;
import net.mignet.kernel.Command;
import net.mignet.kernel.CommandResult;
import net.mignet.kernel.NftCommitQueue;
import net.mignet.kernel.NftFlowCompiler;
import net.mignet.kernel.NftInstalledRules;
import net.mignet.kernel.NftSession;

/**
 * A switch's flow table, matched in the kernel before the learning bridge. Every change is applied as one
 * atomic nftables transaction, so traffic never sees a half-changed table; per-rule counters survive changes.
 * A change touches only the rules it adds, removes or changes ({@link NftInstalledRules}, over netlink); the
 * whole table is loaded by {@code nft} only at start, when ports are rebound and after a refused change.
 * Rules are kept in table order: priority descending, then the order they were added. Rules of one shape (same
 * priority, action and fixed match, differing in exact MACs, IPv4 hosts or ports) are elements of one nftables set
 * instead of rules, so adding one costs the kernel an element (see NftFlowShape).
 */
public final class FlowTable {
    private final String switchName;
    private final String namespace;
    private final List<String> ports;
    private final String table;
    private final NftSession nft;
    private final List<NftFlowCompiler.NumberedRule> rules = new ArrayList<>();
    /** Ports whose frames are held: rules that output to one {@code fwd} to its hold device instead. */
    private final Map<String, String> heldPorts = new LinkedHashMap<>();
    /** OpenFlow's cookie and timeouts of the rules that have them, by id. */
    private final Map<Long, FlowOptions> options = new java.util.HashMap<>();
    private final Map<Long, Long> installedNanos = new java.util.HashMap<>();
    private long nextId = 1;
    /** OpenFlow's punt path (null without an agent) and what frames no rule matches meet. */
    private net.mignet.kernel.NftPacketIn packetIn;
    private FlowAction miss = new FlowAction.Normal();
    /** Whether the kernel has the switch's tail table (see NftPacketIn), loaded with the whole table. */
    private boolean tailInstalled;
    /** The rules before the open batch began, or null when no batch is open: changes then wait for its end. */
    private List<NftFlowCompiler.NumberedRule> batchBefore;
    /** What the kernel holds, with handles, so single rules change without reloading the table. */
    private final NftInstalledRules installed;
    /** Ids of the rules added, removed or changed since the kernel's table was last brought up to date. */
    private Set<Long> changed = new LinkedHashSet<>();
    /** The rules by id and by priority and match (OpenFlow's strict selection); rebuilt when stale. */
    private final Map<Long, NftFlowCompiler.NumberedRule> byId = new HashMap<>();
    private final Map<StrictKey, List<Long>> byMatch = new HashMap<>();
    private boolean indexStale = true;
    /** Commits the parts of a batch started early ({@link #flushBatch}); made when first needed. */
    private NftCommitQueue committer;
    /** Interface indexes of ports and hold devices, which {@code fwd} and {@code dup} rules name devices by. */
    private final Map<String, Integer> ifindexes = new HashMap<>();

    FlowTable(String switchName, String namespace, List<String> ports, NftSession nft) {
        this.switchName = switchName;
        this.nft = nft;
        this.namespace = namespace;
        this.ports = List.copyOf(ports);
        this.table = "mignet_" + switchName.replace('-', '_');
        this.installed = new NftInstalledRules(table, this.ports);
    }

    /** Installs the switch's initial rules (also when there are none, so the table exists from the start). */
    public synchronized void install(List<FlowRule> initial) {
        initial.forEach(this::checkPorts);
        initial.forEach(r -> rules.add(new NftFlowCompiler.NumberedRule(nextId++, r)));
        indexStale = true;
        applyWhole(List.of(), false);
    }

    /**
     * Installs the initial rules of many switches of one fabric namespace in one nftables transaction: one
     * {@code nft} process for the whole network instead of one per switch, which is most of the set-up time of a
     * tree with a hundred switches. When the kernel refuses the whole, the tables are installed one by one, so
     * the error names the switch whose table was refused.
     */
    static void installAll(String namespace, Map<FlowTable, List<FlowRule>> initial) {
        if (initial.isEmpty()) {
            return;
        }
        StringBuilder script = new StringBuilder();
        for (Map.Entry<FlowTable, List<FlowRule>> e : initial.entrySet()) {
            FlowTable t = e.getKey();
            if (!t.namespace.equals(namespace)) {
                throw new IllegalArgumentException("switch " + t.switchName + " is not in " + namespace);
            }
            e.getValue().forEach(t::checkPorts);
        }
        for (Map.Entry<FlowTable, List<FlowRule>> e : initial.entrySet()) {
            FlowTable t = e.getKey();
            synchronized (t) {
                e.getValue().forEach(r -> t.rules.add(new NftFlowCompiler.NumberedRule(t.nextId++, r)));
                t.indexStale = true;
                // A new emulation's fabric has no slice tables yet.
                script.append(NftFlowCompiler.compile(t.table, t.ports, ordered(t.rules), List.of(), List.of(),
                        false, Map.of()));
            }
        }
        CommandResult r = Command.run(List.of("ip", "netns", "exec", namespace, "nft", "-f", "-"), script.toString(),
                Command.DEFAULT_TIMEOUT);
        if (r.ok()) {
            for (FlowTable t : initial.keySet()) {
                synchronized (t) {
                    t.installed.loaded(t.rules, t.heldPorts);
                }
            }
        } else {
            // Nothing was applied (one transaction). Install table by table: the one the kernel refuses throws,
            // naming its switch; if none does, every table is in place after all.
            for (Map.Entry<FlowTable, List<FlowRule>> e : initial.entrySet()) {
                FlowTable t = e.getKey();
                synchronized (t) {
                    t.rules.clear();
                    t.indexStale = true;
                    t.nextId = 1;
                }
                t.install(e.getValue());
            }
        }
    }

    /** Adds a rule; returns its id. */
    public synchronized long add(FlowRule rule) {
        return replace(List.of(), rule, FlowOptions.NONE);
    }

    /** Adds a rule with OpenFlow's cookie and timeouts; returns its id. */
    public synchronized long add(FlowRule rule, FlowOptions opts) {
        return replace(List.of(), rule, opts);
    }

    /**
     * In one transaction, removes the rules with ids {@code replaced} (ids no longer in the table are ignored) and
     * adds {@code rule}, as OpenFlow's add does with a rule of the same match and priority; returns the new id.
     */
    public synchronized long replace(java.util.Collection<Long> replaced, FlowRule rule, FlowOptions opts) {
        checkPorts(rule);
        long id = nextId++;
        // No copy of the table for undoing: a controller's single adds must not cost O(rules) each.
        List<NftFlowCompiler.NumberedRule> gone = new ArrayList<>();
        if (!replaced.isEmpty()) {
            rules.removeIf(r -> replaced.contains(r.id()) && gone.add(r));
            changed.addAll(replaced);
        }
        NftFlowCompiler.NumberedRule added = new NftFlowCompiler.NumberedRule(id, rule);
        rules.add(added);
        if (!indexStale) {
            gone.forEach(this::unindex);
            index(added);
        }
        changed.add(id);
        apply(() -> {
            rules.remove(added);
            rules.addAll(gone);
            indexStale = true;
        });
        replaced.forEach(this::forget);
        if (!opts.equals(FlowOptions.NONE)) {
            options.put(id, opts);
        }
        installedNanos.put(id, System.nanoTime());
        return id;
    }

    /**
     * Removes the rules with these ids in one transaction (ids no longer in the table are ignored) and returns
     * them with their final counters.
     */
    public synchronized List<FlowEntry> remove(java.util.Collection<Long> idList) {
        return remove(idList, true);
    }

    /**
     * As {@link #remove(java.util.Collection)}, but the entries' counters are not read (they are 0): reading them
     * lists every counter of the table in the kernel, which a delete that reports no counts (no FLOW_REMOVED) does
     * not need.
     */
    public synchronized List<FlowEntry> removeUncounted(java.util.Collection<Long> idList) {
        return remove(idList, false);
    }

    private List<FlowEntry> remove(java.util.Collection<Long> idList, boolean counted) {
        Set<Long> ids = new HashSet<>(idList);
        List<FlowEntry> removed = (counted ? entries() : rules()).stream().filter(e -> ids.contains(e.id())).toList();
        if (removed.isEmpty()) {
            return removed;
        }
        List<NftFlowCompiler.NumberedRule> before = List.copyOf(rules);
        rules.removeIf(r -> ids.contains(r.id()));
        removed.forEach(e -> changed.add(e.id()));
        apply(before);
        ids.forEach(this::forget);
        return removed;
    }

    /** The ids of the rules with exactly this priority and match (OpenFlow's strict selection). */
    public synchronized List<Long> idsOf(int priority, FlowMatch match) {
        freshIndex();
        return List.copyOf(byMatch.getOrDefault(new StrictKey(priority, match), List.of()));
    }

    private record StrictKey(int priority, FlowMatch match) {
    }

    private void freshIndex() {
        if (!indexStale) {
            return;
        }
        byId.clear();
        byMatch.clear();
        rules.forEach(this::index);
        indexStale = false;
    }

    private void index(NftFlowCompiler.NumberedRule r) {
        byId.put(r.id(), r);
        byMatch.computeIfAbsent(new StrictKey(r.rule().priority(), r.rule().match()), k -> new ArrayList<>(1))
                .add(r.id());
    }

    private void unindex(NftFlowCompiler.NumberedRule r) {
        byId.remove(r.id());
        StrictKey key = new StrictKey(r.rule().priority(), r.rule().match());
        List<Long> ids = byMatch.get(key);
        if (ids != null) {
            ids.remove(r.id());
            if (ids.isEmpty()) {
                byMatch.remove(key);
            }
        }
    }

    /** The rules in table order as {@link #entries()} gives them, but without reading counters (they are 0). */
    public synchronized List<FlowEntry> rules() {
        return ordered(rules).stream().map(n -> entry(n, 0, 0)).toList();
    }

    private void forget(long id) {
        options.remove(id);
        installedNanos.remove(id);
    }

    private FlowEntry entry(NftFlowCompiler.NumberedRule n, long packets, long bytes) {
        List<String> held = n.rule().action().outputPorts().stream().filter(heldPorts::containsKey).toList();
        return new FlowEntry(n.id(), n.rule(), packets, bytes, held, options.getOrDefault(n.id(), FlowOptions.NONE),
                installedNanos.getOrDefault(n.id(), 0L));
    }

    /**
     * Gives every rule that {@code match} selects (see {@link #selects}) the new action, like
     * {@code ovs-ofctl mod-flows}; when none is selected the rule is added, as OpenFlow's modify does.
     * Returns how many rules changed (1 when one was added).
     */
    public synchronized int modify(FlowMatch match, Integer priority, FlowAction action) {
        return modify(match, priority, action, List.of());
    }

    /** As {@link #modify(FlowMatch, Integer, FlowAction)}, the selected rules getting these rewrites too. */
    public synchronized int modify(FlowMatch match, Integer priority, FlowAction action, List<SetField> rewrites) {
        FlowRule probe = new FlowRule(priority == null ? FlowRule.DEFAULT_PRIORITY : priority, match, action,
                rewrites);
        checkPorts(probe);
        List<NftFlowCompiler.NumberedRule> before = List.copyOf(rules);
        int count = 0;
        for (int i = 0; i < rules.size(); i++) {
            NftFlowCompiler.NumberedRule r = rules.get(i);
            if (selects(match, priority, r.rule())) {
                FlowRule now = new FlowRule(r.rule().priority(), r.rule().match(), action, rewrites);
                rules.set(i, new NftFlowCompiler.NumberedRule(r.id(), now));
                changed.add(r.id());
                count++;
            }
        }
        if (count == 0) {
            long id = nextId++;
            rules.add(new NftFlowCompiler.NumberedRule(id, probe));
            changed.add(id);
            count = 1;
        }
        apply(before);
        return count;
    }

    /**
     * Gives the rules with these ids new actions, all in one transaction: the switch never forwards by a mix
     * of old and new rules. Ids that are no longer in the table are refused.
     */
    public synchronized void replaceActions(Map<Long, FlowAction> actions) {
        replaceActions(actions, null);
    }

    /**
     * As {@link #replaceActions(Map)}; with {@code rewrites} not null, the rules' rewrites become these (OpenFlow's
     * modify replaces the whole action list), else they stay (a redirect changes only where frames go).
     */
    public synchronized void replaceActions(Map<Long, FlowAction> actions, List<SetField> rewrites) {
        List<NftFlowCompiler.NumberedRule> before = List.copyOf(rules);
        Map<Long, FlowAction> pending = new java.util.HashMap<>(actions);
        try {
            for (int i = 0; i < rules.size(); i++) {
                NftFlowCompiler.NumberedRule r = rules.get(i);
                FlowAction action = pending.remove(r.id());
                if (action != null) {
                    FlowRule now = new FlowRule(r.rule().priority(), r.rule().match(), action,
                            rewrites == null ? r.rule().rewrites() : rewrites);
                    checkPorts(now);
                    rules.set(i, new NftFlowCompiler.NumberedRule(r.id(), now));
                    changed.add(r.id());
                }
            }
        } catch (IllegalArgumentException e) {
            rules.clear();
            rules.addAll(before);
            throw e;
        }
        if (!pending.isEmpty()) {
            rules.clear();
            rules.addAll(before);
            throw new IllegalArgumentException("switch " + switchName + " has no rule with id " + pending.keySet());
        }
        apply(before);
    }

    /** Deletes every rule {@code match} selects; {@link FlowMatch#ANY} with no priority deletes all. */
    public synchronized int delete(FlowMatch match, Integer priority) {
        List<NftFlowCompiler.NumberedRule> before = List.copyOf(rules);
        int removed = (int) rules.stream().filter(r -> selects(match, priority, r.rule())).count();
        List<Long> gone = rules.stream().filter(r -> selects(match, priority, r.rule()))
                .map(NftFlowCompiler.NumberedRule::id).toList();
        rules.removeIf(r -> selects(match, priority, r.rule()));
        changed.addAll(gone);
        if (removed > 0) {
            apply(before);
            gone.forEach(this::forget);
        }
        return removed;
    }

    /**
     * Runs {@code changes} (calls of this table's methods) and applies their sum to the kernel in one transaction
     * at the end, instead of one per change: a controller's burst of flow changes then costs one {@code nft} run.
     * A change refused within the batch (e.g. a port that does not exist) throws as usual and leaves the others;
     * when the kernel refuses the sum, nothing of the batch stays and the error is thrown.
     */
    public synchronized void batch(Runnable changes) {
        if (batchBefore != null) {
            changes.run();
            return;
        }
        List<NftFlowCompiler.NumberedRule> before = List.copyOf(rules);
        Map<Long, FlowOptions> optionsBefore = new java.util.HashMap<>(options);
        Map<Long, Long> installedBefore = new java.util.HashMap<>(installedNanos);
        batchBefore = before;
        try {
            changes.run();
        } finally {
            batchBefore = null;
            RuntimeException refused = committer == null ? null : committer.await();
            if (refused != null) {
                // A part committed early was refused (and the later ones not sent): the whole batch is undone, as
                // when the kernel refuses a batch committed at its end, and the whole table loaded again.
                rules.clear();
                rules.addAll(before);
                options.clear();
                options.putAll(optionsBefore);
                installedNanos.clear();
                installedNanos.putAll(installedBefore);
                indexStale = true;
                clearChanged();
                installed.forget();
                throw reloadedAfter(refused);
            }
            try {
                // Changes within the batch that do not keep the index up to date marked it stale themselves; adds
                // kept it, so the next batch's strict lookups need no rebuild over the whole table.
                apply(() -> {
                    rules.clear();
                    rules.addAll(before);
                    indexStale = true;
                });
            } catch (IllegalStateException e) {
                options.clear();
                options.putAll(optionsBefore);
                installedNanos.clear();
                installedNanos.putAll(installedBefore);
                throw e;
            }
        }
    }

    /**
     * Within a {@link #batch}, called by the thread running it: starts committing the changes made so far when they
     * only add or delete flows stored as set elements, on another thread while the caller goes on; other changes
     * wait for the batch's end as usual. The batch's end waits for what was started. Returns false when a part
     * started earlier was refused already: the batch will fail as a whole, so the caller had better end it.
     */
    public synchronized boolean flushBatch() {
        if (batchBefore == null) {
            throw new IllegalStateException("flushBatch outside a batch of " + switchName);
        }
        if (committer != null && committer.refused()) {
            return false;
        }
        if (changed.isEmpty() || (!tailInstalled && NftFlowCompiler.hasTail(packetIn, miss, rules))) {
            return true;
        }
        Map<Long, NftFlowCompiler.NumberedRule> current = changedRules();
        net.mignet.kernel.NftNetlink.Transaction tx = installed.stageElements(nft.netlink(), current, changed,
                heldPorts, this::ifindex);
        if (tx != null) {
            clearChanged();
            if (committer == null) {
                committer = new NftCommitQueue("nft-commit-" + switchName);
            }
            committer.submit(tx);
        }
        return true;
    }

    /**
     * Binds the table again to the devices that now carry the switch's port names, keeping rules and counters.
     * Needed after a port's device was replaced (the userspace link engine does that when it takes over a link).
     */
    public synchronized void rebind() {
        ifindexes.clear();
        applyWhole(List.copyOf(rules), true);
    }

    /** The rules in the order the switch tries them, with their counters read from the kernel now. */
    public synchronized List<FlowEntry> entries() {
        Map<Long, long[]> counters = installed.counters(nft.netlink());
        return ordered(rules).stream().map(n -> {
            long[] c = counters.get(n.id());
            return entry(n, c == null ? 0 : c[0], c == null ? 0 : c[1]);
        }).toList();
    }

    /** The ports whose frames are held now. */
    public synchronized List<String> heldPorts() {
        return List.copyOf(heldPorts.keySet());
    }

    /**
     * Starts holding {@code port}: in one transaction, every rule whose action outputs to it (now or while the
     * hold lasts) sends to {@code device} instead. Rules keep their ids, actions and counters.
     */
    synchronized void holdPort(String port, String device) {
        requirePort(port);
        if (heldPorts.containsKey(port)) {
            throw new IllegalStateException("the frames for " + switchName + " port " + port
                    + " are held already; release or restore that hold first");
        }
        heldPorts.put(port, device);
        ifindexes.remove(device);
        try {
            changeEveryRule();
            apply(List.copyOf(rules));
        } catch (IllegalStateException e) {
            heldPorts.remove(port);
            throw e;
        }
    }

    /**
     * Ends the hold of {@code port} in one transaction; with a {@code newPort}, every rule that output to
     * {@code port} outputs to {@code newPort} instead, keeping its id and counter. Returns the actions the
     * changed rules had, by id (empty for a restore), so the change can be undone with
     * {@link #replaceActions}.
     */
    synchronized Map<Long, FlowAction> endHold(String port, String newPort) {
        if (newPort != null) {
            requirePort(newPort);
        }
        String device = heldPorts.remove(port);
        if (device == null) {
            throw new IllegalStateException("the frames for " + switchName + " port " + port + " are not held");
        }
        List<NftFlowCompiler.NumberedRule> before = List.copyOf(rules);
        Map<Long, FlowAction> previous = new LinkedHashMap<>();
        changeEveryRule();
        if (newPort != null && !newPort.equals(port)) {
            for (int i = 0; i < rules.size(); i++) {
                NftFlowCompiler.NumberedRule r = rules.get(i);
                FlowAction out = r.rule().action();
                if (out.outputPorts().contains(port)) {
                    FlowAction moved = out.withPortsMoved(Map.of(port, newPort));
                    rules.set(i, new NftFlowCompiler.NumberedRule(r.id(), r.rule().withAction(moved)));
                    previous.put(r.id(), out);
                }
            }
        }
        try {
            apply(before);
        } catch (IllegalStateException e) {
            heldPorts.put(port, device);
            throw e;
        }
        return previous;
    }

    public String switchName() {
        return switchName;
    }

    /**
     * Non-strict selection, as in {@code ovs-ofctl del-flows/mod-flows}: every field set in {@code match} must
     * be equal in the rule; fields it leaves open select anything. A given priority must be equal too.
     */
    static boolean selects(FlowMatch match, Integer priority, FlowRule rule) {
        FlowMatch m = rule.match();
        return (priority == null || priority == rule.priority())
                && (match.inPort() == null || match.inPort().equals(m.inPort()))
                && (match.ethSrc() == null || match.ethSrc().equals(m.ethSrc()))
                && (match.ethDst() == null || match.ethDst().equals(m.ethDst()))
                && (match.ethType() == null || match.ethType().equals(m.ethType()))
                && (match.ipSrc() == null || match.ipSrc().equals(m.ipSrc()))
                && (match.ipDst() == null || match.ipDst().equals(m.ipDst()))
                && (match.ipProto() == null || match.ipProto().equals(m.ipProto()))
                && (match.tpSrc() == null || match.tpSrc().equals(m.tpSrc()))
                && (match.tpDst() == null || match.tpDst().equals(m.tpDst()))
                && (match.arpSha() == null || match.arpSha().equals(m.arpSha()))
                && (match.arpTha() == null || match.arpTha().equals(m.arpTha()))
                && (match.ethSrc() == null || java.util.Objects.equals(match.ethSrcMask(), m.ethSrcMask()))
                && (match.ethDst() == null || java.util.Objects.equals(match.ethDstMask(), m.ethDstMask()))
                && (match.vlanVid() == null || match.vlanVid().equals(m.vlanVid()));
    }

    private static List<NftFlowCompiler.NumberedRule> ordered(List<NftFlowCompiler.NumberedRule> rules) {
        return rules.stream().sorted(Comparator.comparingInt((NftFlowCompiler.NumberedRule r) -> -r.rule().priority())
                .thenComparingLong(NftFlowCompiler.NumberedRule::id)).toList();
    }

    void requirePort(String port) {
        if (!ports.contains(port)) {
            throw new IllegalArgumentException("switch " + switchName + " has no port '" + port + "' (ports: "
                    + String.join(", ", ports) + ")");
        }
    }

    private void checkPorts(FlowRule rule) {
        if (rule.match().inPort() != null) {
            requirePort(rule.match().inPort());
        }
        for (String port : rule.action().outputPorts()) {
            requirePort(port);
        }
    }

    /** Marks every rule as changed: its outputs may go elsewhere now (a hold began or ended). */
    private void changeEveryRule() {
        rules.forEach(r -> changed.add(r.id()));
    }

    /**
     * Brings the kernel's table up to date with the changed rules, in one transaction of just those rules; on
     * failure restores {@code before} in memory, the kernel being unchanged, and throws. Within a batch, waits for
     * its end.
     */
    private void apply(List<NftFlowCompiler.NumberedRule> before) {
        indexStale = true;
        apply(() -> {
            rules.clear();
            rules.addAll(before);
        });
    }

    /** As {@link #apply(List)}, {@code restore} putting the rules back as they were before the change. */
    private void apply(Runnable restore) {
        if (batchBefore != null) {
            return;
        }
        if (!tailInstalled && NftFlowCompiler.hasTail(packetIn, miss, rules)) {
            // A first controller rule needs the tail table, which only a whole load makes.
            installed.forget();
        }
        if (!installed.known()) {
            List<NftFlowCompiler.NumberedRule> now = List.copyOf(rules);
            restore.run();
            List<NftFlowCompiler.NumberedRule> before = List.copyOf(rules);
            rules.clear();
            rules.addAll(now);
            indexStale = true;
            applyWhole(before, false);
            return;
        }
        Map<Long, NftFlowCompiler.NumberedRule> current = changedRules();
        try {
            installed.apply(nft.netlink(), current, List.copyOf(changed), heldPorts, this::ifindex);
            clearChanged();
        } catch (RuntimeException e) {
            restore.run();
            indexStale = true;
            clearChanged();
            // The kernel did not apply the transaction, but which handles it holds is no longer known for sure:
            // loading the whole table again makes it known.
            throw reloadedAfter(e);
        }
    }

    /** The changed rules that still exist, by id, from a fresh index (the others were deleted). */
    private Map<Long, NftFlowCompiler.NumberedRule> changedRules() {
        freshIndex();
        Map<Long, NftFlowCompiler.NumberedRule> current = new HashMap<>();
        for (long id : changed) {
            NftFlowCompiler.NumberedRule r = byId.get(id);
            if (r != null) {
                current.put(id, r);
            }
        }
        return current;
    }

    /** Loads the whole (restored) table again after the kernel refused a change; the error to throw. */
    private IllegalStateException reloadedAfter(RuntimeException refused) {
        try {
            applyWhole(List.copyOf(rules), false);
        } catch (RuntimeException again) {
            refused.addSuppressed(again);
        }
        return new IllegalStateException("the kernel refused the flow table of " + switchName + ": "
                + refused.getMessage(), refused);
    }

    /** Empties {@link #changed}; a set a large batch grew is dropped, as clearing it costs its whole capacity. */
    private void clearChanged() {
        if (changed.size() > 256) {
            changed = new LinkedHashSet<>();
        } else {
            changed.clear();
        }
    }

    /** Loads the whole table in one nft transaction (at start, on rebinding, after a failure). */
    private void applyWhole(List<NftFlowCompiler.NumberedRule> before, boolean rebind) {
        Set<Long> current = new HashSet<>();
        rules.forEach(r -> current.add(r.id()));
        List<NftFlowCompiler.NumberedRule> removed = before.stream().filter(r -> !current.contains(r.id())).toList();
        List<String> existing = nft.netlink().tables().stream()
                .filter(t -> installed.owns(t) && !t.equals(table)).toList();
        // Shape tables are made anew, and a flow may have moved between a rule and an element: the counts the
        // kernel has now are carried into the new elements and counters.
        Map<Long, long[]> counts = existing.isEmpty() ? Map.of() : installed.counters(nft.netlink());
        String script = NftFlowCompiler.compile(table, ports, ordered(rules), removed, existing, rebind, heldPorts,
                packetIn, miss, counts);
        installed.forget();
        try {
            nft.apply(script);
        } catch (IllegalStateException e) {
            rules.clear();
            rules.addAll(before);
            indexStale = true;
            throw new IllegalStateException("the kernel refused the flow table of " + switchName + ": "
                    + e.getMessage(), e);
        } finally {
            clearChanged();
        }
        installed.loaded(rules, heldPorts);
        tailInstalled = NftFlowCompiler.hasTail(packetIn, miss, rules);
    }

    /**
     * Gives rules whose action is {@code controller} (and a miss to the controller) a way to the switch's
     * OpenFlow agent, or takes it away with null; without one such frames are dropped.
     */
    public synchronized void setPacketIn(net.mignet.kernel.NftPacketIn path) {
        net.mignet.kernel.NftPacketIn before = packetIn;
        packetIn = path;
        try {
            reloadWhole();
        } catch (IllegalStateException e) {
            packetIn = before;
            throw e;
        }
    }

    /**
     * What frames no rule matches meet (OpenFlow's table miss): {@code normal} (the learning bridge, the default),
     * {@code drop} or {@code controller}. Changed in one transaction; does nothing when it is the same.
     */
    public synchronized void setTableMiss(FlowAction action) {
        if (!(action instanceof FlowAction.Normal || action instanceof FlowAction.Drop
                || action instanceof FlowAction.Controller)) {
            throw new IllegalArgumentException("a table miss can be normal, drop or controller, not " + action);
        }
        if (action.equals(miss)) {
            return;
        }
        FlowAction before = miss;
        miss = action;
        try {
            reloadWhole();
        } catch (IllegalStateException e) {
            miss = before;
            throw e;
        }
    }

    public synchronized FlowAction tableMiss() {
        return miss;
    }

    /** The tail table changes only with a whole load; within a batch, the batch's end loads it. */
    private void reloadWhole() {
        installed.forget();
        if (batchBefore == null) {
            applyWhole(List.copyOf(rules), false);
        }
    }

    /** The rule with this id, or empty when it is no longer in the table. */
    public synchronized java.util.Optional<FlowRule> rule(long id) {
        for (NftFlowCompiler.NumberedRule r : rules) {
            if (r.id() == id) {
                return java.util.Optional.of(r.rule());
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * Whether any rule has an idle or hard timeout; looks only at rules with OpenFlow options, so a periodic check
     * costs nothing on a large table without timeouts.
     */
    public synchronized boolean anyExpires() {
        for (FlowOptions o : options.values()) {
            if (o.expires()) {
                return true;
            }
        }
        return false;
    }

    /** The OpenFlow cookie and timeouts of the rule with this id ({@link FlowOptions#NONE} when it has none). */
    public synchronized FlowOptions optionsOf(long id) {
        return options.getOrDefault(id, FlowOptions.NONE);
    }

    /** Where the rule handles the table predicted differ from the kernel's (empty when none): for tests. */
    synchronized List<String> kernelHandleMismatches() {
        return installed.handleMismatches(nft.netlink());
    }

    private int ifindex(String device) {
        return ifindexes.computeIfAbsent(device, nft::interfaceIndex);
    }
}
