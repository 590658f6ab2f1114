package net.mignet.openflow;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.mignet.flow.FlowAction;
import net.mignet.flow.FlowMatch;
import net.mignet.flow.FlowRule;
import net.mignet.flow.FlowRuleParser;
import net.mignet.net.FlowEntry;
import net.mignet.net.FlowOptions;
import net.mignet.net.FlowTable;
import net.mignet.topo.Ipv4Prefix;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFFlowModFlags;
import org.projectfloodlight.openflow.protocol.OFFlowRemovedReason;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.action.OFAction;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.U64;

/**
 * Carries out FLOW_MODs on a switch's {@link FlowTable}, the same table the shell's {@code flow} command changes,
 * with OpenFlow's selection rules: strict (same match and priority) or not (the request's match fields equal in
 * the rule, the rule possibly narrower), cookie and mask, out_port.
 */
final class FlowModExecutor {
    private final FlowTable table;
    private final FlowTranslator translator;
    private final RemovalListener removals;

    /** Told about rules a delete removed that asked for FLOW_REMOVED. */
    interface RemovalListener {
        void removed(FlowEntry entry, OFFlowRemovedReason reason);
    }

    /** The instructions of the last 1.3 add the codec read, byte for byte, and the actions they became. */
    private record Instructions(byte[] bytes, FlowRuleParser.Actions treatment) {
    }

    /** Written and read by the sessions' threads: each reads it once per add. */
    private volatile Instructions lastInstructions;

    FlowModExecutor(FlowTable table, FlowTranslator translator, RemovalListener removals) {
        this.table = table;
        this.translator = translator;
        this.removals = removals;
    }

    /**
     * Carries out {@code raw} when it is a common 1.3 add ({@link FlowAddBytes}) whose instructions are those of the
     * last add the codec read (a burst's flows mostly share their actions): without the codec. Returns false,
     * having done nothing, for any other request, which then goes to {@link #execute}.
     */
    boolean tryAdd(byte[] raw) {
        Instructions last = lastInstructions;
        if (last == null) {
            return false;
        }
        FlowAddBytes add = FlowAddBytes.read(raw, translator.ports());
        if (add == null || !add.sameInstructions(raw, last.bytes())) {
            return false;
        }
        FlowRule rule;
        FlowOptions options;
        try {
            rule = new FlowRule(add.priority(), add.match(), last.treatment().action(), last.treatment().rewrites());
            options = new FlowOptions(add.cookie(), add.idleTimeout(), add.hardTimeout(), add.sendFlowRemoved());
        } catch (IllegalArgumentException e) {
            // The codec's way gives the error.
            return false;
        }
        synchronized (table) {
            table.replace(table.idsOf(add.priority(), add.match()), rule, options);
        }
        return true;
    }

    /** Carries out a FLOW_MOD the codec read from {@code raw}. */
    void execute(OFFlowMod mod, byte[] raw) {
        FlowMatch match = translator.toFlowMatch(mod.getMatch());
        int priority = mod.getPriority();
        switch (mod.getCommand()) {
            case ADD -> {
                FlowRuleParser.Actions treatment = add(mod, match, priority);
                FlowAddBytes bytes = mod.getVersion() == OFVersion.OF_13 ? FlowAddBytes.read(raw, translator.ports())
                        : null;
                if (bytes != null) {
                    lastInstructions = new Instructions(bytes.instructions(raw), treatment);
                }
            }
            case MODIFY -> modify(mod, match, priority, false);
            case MODIFY_STRICT -> modify(mod, match, priority, true);
            case DELETE -> delete(mod, match, priority, false);
            case DELETE_STRICT -> delete(mod, match, priority, true);
        }
    }

    private FlowRuleParser.Actions action(OFFlowMod mod) {
        List<OFAction> actions = mod.getVersion() == OFVersion.OF_10 ? mod.getActions()
                : translator.actionsOf(mod.getInstructions());
        return translator.toTreatment(actions);
    }

    private static FlowRule rule(int priority, FlowMatch match, FlowRuleParser.Actions treatment) {
        try {
            return new FlowRule(priority, match, treatment.action(), treatment.rewrites());
        } catch (IllegalArgumentException e) {
            // An IPv4 rewrite of a rule that does not match IPv4 only: OpenFlow's missing prerequisite.
            throw OpenFlowError.badAction(org.projectfloodlight.openflow.protocol.OFBadActionCode.BAD_ARGUMENT,
                    e.getMessage());
        }
    }

    private static FlowOptions options(OFFlowMod mod) {
        boolean notify = mod.getFlags() != null && mod.getFlags().contains(OFFlowModFlags.SEND_FLOW_REM);
        return new FlowOptions(mod.getCookie().getValue(), mod.getIdleTimeout(), mod.getHardTimeout(), notify);
    }

    /** Adds the flow; returns the actions its instructions became. */
    private FlowRuleParser.Actions add(OFFlowMod mod, FlowMatch match, int priority) {
        FlowRuleParser.Actions treatment = action(mod);
        FlowRule rule = rule(priority, match, treatment);
        synchronized (table) {
            table.replace(table.idsOf(priority, match), rule, options(mod));
        }
        return treatment;
    }

    private void modify(OFFlowMod mod, FlowMatch match, int priority, boolean strict) {
        FlowRuleParser.Actions treatment = action(mod);
        FlowAction action = treatment.action();
        synchronized (table) {
            Map<Long, FlowAction> changes = new java.util.LinkedHashMap<>();
            for (FlowEntry e : table.rules()) {
                if (selected(e, match, priority, strict, mod.getCookie(), cookieMask(mod), OFPort.ANY)) {
                    rule(e.rule().priority(), e.rule().match(), treatment);
                    changes.put(e.id(), action);
                }
            }
            if (!changes.isEmpty()) {
                table.replaceActions(changes, treatment.rewrites());
            } else if (mod.getVersion() == OFVersion.OF_10) {
                // OpenFlow 1.0's modify adds the rule when it selects none; 1.1 and later do nothing.
                table.add(rule(priority, match, treatment), options(mod));
            }
        }
    }

    private void delete(OFFlowMod mod, FlowMatch match, int priority, boolean strict) {
        OFPort outPort = mod.getOutPort() == null ? OFPort.ANY : mod.getOutPort();
        List<FlowEntry> removed;
        synchronized (table) {
            List<Long> ids = new ArrayList<>();
            boolean notify = false;
            for (FlowEntry e : table.rules()) {
                if (selected(e, match, priority, strict, mod.getCookie(), cookieMask(mod), outPort)) {
                    ids.add(e.id());
                    notify |= e.options().notifyRemoval();
                }
            }
            // Only FLOW_REMOVED reports the final counts: without it, the kernel's counters need not be listed.
            removed = ids.isEmpty() ? List.of() : notify ? table.remove(ids) : table.removeUncounted(ids);
        }
        removed.stream().filter(e -> e.options().notifyRemoval())
                .forEach(e -> removals.removed(e, OFFlowRemovedReason.DELETE));
    }

    private static U64 cookieMask(OFFlowMod mod) {
        return mod.getVersion() == OFVersion.OF_10 ? U64.ZERO : mod.getCookieMask();
    }

    boolean selected(FlowEntry e, FlowMatch match, int priority, boolean strict, U64 cookie, U64 cookieMask,
            OFPort outPort) {
        long mask = cookieMask.getValue();
        if ((e.options().cookie() & mask) != (cookie.getValue() & mask)) {
            return false;
        }
        if (!translator.outputsTo(e.rule().action(), outPort)) {
            return false;
        }
        if (strict) {
            return e.rule().priority() == priority && e.rule().match().equals(match);
        }
        return covers(match, e.rule().match());
    }

    /** Whether every field {@code wide} sets is set as narrowly or more in {@code rule}: OpenFlow's non-strict rule. */
    static boolean covers(FlowMatch wide, FlowMatch rule) {
        return same(wide.inPort(), rule.inPort())
                && same(wide.ethType(), rule.ethType())
                && same(wide.ipProto(), rule.ipProto()) && same(wide.tpSrc(), rule.tpSrc())
                && same(wide.tpDst(), rule.tpDst()) && within(wide.ipSrc(), rule.ipSrc())
                && within(wide.ipDst(), rule.ipDst()) && same(wide.arpSha(), rule.arpSha())
                && same(wide.arpTha(), rule.arpTha()) && same(wide.vlanVid(), rule.vlanVid())
                && macWithin(wide.ethSrc(), wide.ethSrcMask(), rule.ethSrc(), rule.ethSrcMask())
                && macWithin(wide.ethDst(), wide.ethDstMask(), rule.ethDst(), rule.ethDstMask());
    }

    /** Whether every address the rule's (masked) MAC matches is one the wide (masked) MAC matches. */
    private static boolean macWithin(net.mignet.topo.MacAddress wide, net.mignet.topo.MacAddress wideMask,
            net.mignet.topo.MacAddress rule, net.mignet.topo.MacAddress ruleMask) {
        if (wide == null) {
            return true;
        }
        if (rule == null) {
            return false;
        }
        long w = wideMask == null ? 0xffff_ffff_ffffL : wideMask.bits();
        long r = ruleMask == null ? 0xffff_ffff_ffffL : ruleMask.bits();
        return (w & ~r) == 0 && (rule.bits() & w) == wide.bits();
    }

    private static boolean same(Object wide, Object rule) {
        return wide == null || wide.equals(rule);
    }

    private static boolean within(Ipv4Prefix wide, Ipv4Prefix rule) {
        return wide == null || (rule != null && rule.length() >= wide.length() && wide.contains(rule.address()));
    }
}
