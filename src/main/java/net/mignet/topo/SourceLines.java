package net.mignet.topo;

import java.util.List;
import java.util.Map;

/**
 * Where a topology's parts were written, so that what the kernel refuses after validation can still be traced
 * to {@code file:line}. Topologies built in Java have none.
 *
 * @param source file name, as messages call it
 * @param nodes  line of each node's declaration
 * @param links  line of each link, in the topology's link order
 */
public record SourceLines(String source, Map<String, Integer> nodes, List<Integer> links) {
    public static final SourceLines NONE = new SourceLines(null, Map.of(), List.of());

    public SourceLines {
        nodes = Map.copyOf(nodes);
        links = List.copyOf(links);
    }

    /** {@code " (file:line)"} for a node, or an empty string when unknown. */
    public String ofNode(String name) {
        return at(nodes.get(name));
    }

    /** {@code " (file:line)"} for the link at {@code index}, or an empty string when unknown. */
    public String ofLink(int index) {
        return at(index >= 0 && index < links.size() ? links.get(index) : null);
    }

    private String at(Integer line) {
        return source == null || line == null || line == SourceProblems.NO_LINE ? "" : " (" + source + ":" + line + ")";
    }
}
