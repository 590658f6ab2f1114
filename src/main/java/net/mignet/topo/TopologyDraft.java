package net.mignet.topo;

import java.util.List;
import java.util.Map;
import net.mignet.flow.FlowRule;

/**
 * A topology as read from a file, before cross-references are checked. Every part keeps its line, so problems
 * only visible once the whole file is read (an unknown node, a port name taken twice) still point at the file.
 *
 * @param name     topology name, given or derived from the file name
 * @param nameLine line of {@code name:}, or {@link SourceProblems#NO_LINE} when derived
 */
record TopologyDraft(String name, int nameLine, List<NodeDraft> nodes, List<LinkDraft> links, List<AppDraft> apps) {

    /** An app of the {@code apps:} section; {@code hostLine} is where its host is named. */
    record AppDraft(AppSpec spec, int line, int hostLine) {
    }

    /**
     * A host or switch declaration; {@code defaultIp}, {@code sysctls}, {@code container} and {@code routes} only
     * on hosts, {@code flows} only on switches.
     */
    record NodeDraft(String name, NodeKind kind, Ipv4Prefix defaultIp, Map<String, String> sysctls,
            List<FlowDraft> flows, int line, HostContainer container, SwitchOpenFlow openflow, int openflowLine,
            List<RouteDraft> routes) {
        NodeDraft(String name, NodeKind kind, Ipv4Prefix defaultIp, Map<String, String> sysctls,
                List<FlowDraft> flows, int line) {
            this(name, kind, defaultIp, sysctls, flows, line, HostContainer.NONE);
        }

        NodeDraft(String name, NodeKind kind, Ipv4Prefix defaultIp, Map<String, String> sysctls,
                List<FlowDraft> flows, int line, HostContainer container) {
            this(name, kind, defaultIp, sysctls, flows, line, container, SwitchOpenFlow.NONE, line, List.of());
        }

        List<HostRoute> hostRoutes() {
            return routes.stream().map(RouteDraft::route).toList();
        }
    }

    /** A route of a host that parsed, with its line. */
    record RouteDraft(HostRoute route, int line) {
    }

    /** A flow rule that parsed; {@code text} is kept to quote it back in messages. */
    record FlowDraft(String text, FlowRule rule, int line) {
    }

    /** One end of a link; {@code intf}, {@code ip} and {@code mac} are null when not given. */
    record EndDraft(String node, String intf, Ipv4Prefix ip, MacAddress mac, int line) {
        @Override
        public String toString() {
            return intf == null ? node : node + ":" + intf;
        }
    }

    record LinkDraft(EndDraft a, EndDraft b, LinkParams aToB, LinkParams bToA, int line) {
        @Override
        public String toString() {
            return a + " <-> " + b;
        }
    }
}
