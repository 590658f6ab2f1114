package net.mignet.net;

import net.mignet.flow.FlowRule;

/** A rule in a switch's flow table with its id and the traffic it has matched so far. */
public record FlowEntry(long id, FlowRule rule, long packets, long bytes) {
}
