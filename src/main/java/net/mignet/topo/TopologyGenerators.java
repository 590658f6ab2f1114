package net.mignet.topo;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Mininet's built-in topologies ({@code --topo single,3}), with Mininet's node names, numbering, link order and
 * addresses (host hK gets 10.0.0.0/8 + K), so experiments written for Mininet carry over.
 */
public final class TopologyGenerators {
    /** Keeps every generated name within Linux's 15 bytes: the longest is a switch port like s99999-h99999. */
    public static final int MAX_NODES = 99_999;

    private static final Ipv4Address HOST_BASE = Ipv4Address.ofOctets(10, 0, 0, 0);

    /** A generator as written in a spec: its parameters, in order, with Mininet's defaults. */
    private record Kind(String name, List<String> params, List<Integer> defaults) {
        String usage() {
            return params.isEmpty() ? name : name + "," + String.join(",", params.stream().map(String::toUpperCase).toList());
        }
    }

    private static final List<Kind> KINDS = List.of(
            new Kind("minimal", List.of(), List.of()),
            new Kind("single", List.of("k"), List.of(2)),
            new Kind("linear", List.of("k"), List.of(2)),
            new Kind("tree", List.of("depth", "fanout"), List.of(1, 2)));

    private TopologyGenerators() {
    }

    /**
     * Builds a topology from a Mininet-style spec: {@code minimal}, {@code single,K}, {@code linear,K},
     * {@code tree,DEPTH,FANOUT}. Omitted numbers take Mininet's defaults; numbers may also be given by name,
     * as in {@code tree,depth=2,fanout=3}.
     */
    public static Topology fromSpec(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new TopologyException("no topology given; write one of " + knownKinds() + ", e.g. tree,2,3");
        }
        String[] parts = spec.trim().split("\\s*,\\s*", -1);
        Kind kind = KINDS.stream().filter(k -> k.name().equals(parts[0])).findFirst()
                .orElseThrow(() -> new TopologyException("unknown topology '" + parts[0] + "' in '" + spec + "'"
                        + Suggestions.didYouMean(parts[0], KINDS.stream().map(Kind::name).toList())
                        + "; write one of " + knownKinds()));
        int[] values = arguments(spec, kind, parts);
        return switch (kind.name()) {
            case "minimal" -> minimal();
            case "single" -> single(values[0]);
            case "linear" -> linear(values[0]);
            default -> tree(values[0], values[1]);
        };
    }

    /** Mininet's MinimalTopo: h1 and h2 on s1. */
    public static Topology minimal() {
        return singleSwitch("minimal", 2);
    }

    /** Mininet's SingleSwitchTopo: hosts h1..hK on switch s1. */
    public static Topology single(int hosts) {
        requirePositive("single," + hosts, "k", hosts);
        requireWithinLimit("single," + hosts, hosts, "hosts");
        return singleSwitch("single-" + hosts, hosts);
    }

    /** Mininet's LinearTopo: switches s1..sK in a chain, host hK on switch sK. */
    public static Topology linear(int switches) {
        requirePositive("linear," + switches, "k", switches);
        requireWithinLimit("linear," + switches, switches, "switches");
        TopologyBuilder b = Topology.builder("linear-" + switches);
        for (int k = 1; k <= switches; k++) {
            addHost(b, k);
            b.addSwitch("s" + k);
            b.addLink("h" + k, "s" + k);
            if (k > 1) {
                b.addLink("s" + k, "s" + (k - 1));
            }
        }
        return b.build();
    }

    /**
     * Mininet's TreeTopo: a switch tree {@code depth} levels deep, each switch with {@code fanout} children, hosts
     * at the leaves. Numbered as Mininet numbers it, depth first: in tree,2,2 s1 is the root, s2 holds h1 and h2,
     * s3 holds h3 and h4; each link is added once the subtree below it is complete.
     */
    public static Topology tree(int depth, int fanout) {
        String spec = "tree," + depth + "," + fanout;
        requirePositive(spec, "depth", depth);
        requirePositive(spec, "fanout", fanout);
        long switchCount = 0;
        long levelWidth = 1;
        // Checked level by level so a spec like tree,40,40 is refused before its counts overflow.
        for (int level = 0; level < depth; level++) {
            switchCount += levelWidth;
            levelWidth *= fanout;
            requireWithinLimit(spec, switchCount, "switches");
            requireWithinLimit(spec, levelWidth, "hosts");
        }
        TopologyBuilder b = Topology.builder("tree-" + depth + "-" + fanout);
        int switchNum = 1;
        int hostNum = 0;
        Deque<Subtree> open = new ArrayDeque<>();
        b.addSwitch("s1");
        open.push(new Subtree("s1", depth, fanout));
        // An explicit stack rather than Mininet's recursion: tree,50000,1 is 50000 levels deep.
        while (!open.isEmpty()) {
            Subtree top = open.peek();
            if (top.childrenLeft == 0) {
                open.pop();
                if (!open.isEmpty()) {
                    b.addLink(open.peek().switchName, top.switchName);
                }
            } else if (top.depth == 1) {
                top.childrenLeft--;
                addHost(b, ++hostNum);
                b.addLink(top.switchName, "h" + hostNum);
            } else {
                top.childrenLeft--;
                String child = "s" + ++switchNum;
                b.addSwitch(child);
                open.push(new Subtree(child, top.depth - 1, fanout));
            }
        }
        return b.build();
    }

    /** A switch whose children are still being added. */
    private static final class Subtree {
        final String switchName;
        final int depth;
        int childrenLeft;

        Subtree(String switchName, int depth, int childrenLeft) {
            this.switchName = switchName;
            this.depth = depth;
            this.childrenLeft = childrenLeft;
        }
    }

    private static Topology singleSwitch(String name, int hosts) {
        TopologyBuilder b = Topology.builder(name).addSwitch("s1");
        for (int k = 1; k <= hosts; k++) {
            addHost(b, k);
            b.addLink("h" + k, "s1");
        }
        return b.build();
    }

    private static void addHost(TopologyBuilder b, int k) {
        b.addHost("h" + k, new Ipv4Prefix(HOST_BASE.plus(k), 8));
    }

    private static int[] arguments(String spec, Kind kind, String[] parts) {
        int[] values = kind.defaults().stream().mapToInt(Integer::intValue).toArray();
        if (parts.length - 1 > values.length) {
            throw new TopologyException("topology '" + spec + "' has too many numbers; write " + kind.usage()
                    + ", e.g. " + example(kind));
        }
        boolean named = false;
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i];
            int eq = part.indexOf('=');
            int index = i - 1;
            if (eq >= 0) {
                String param = part.substring(0, eq).trim();
                index = kind.params().indexOf(param);
                if (index < 0) {
                    throw new TopologyException("topology '" + spec + "': " + kind.name() + " has no parameter '" + param
                            + "'" + Suggestions.didYouMean(param, kind.params()) + "; its parameters: "
                            + String.join(", ", kind.params()));
                }
                named = true;
            } else if (named) {
                throw new TopologyException("topology '" + spec + "': a plain number cannot follow a named one;"
                        + " write " + kind.usage() + ", e.g. " + example(kind));
            }
            String number = part.substring(eq + 1).trim();
            try {
                values[index] = Integer.parseInt(number);
            } catch (NumberFormatException e) {
                throw new TopologyException("topology '" + spec + "': '" + number + "' is not a whole number; write "
                        + kind.usage() + ", e.g. " + example(kind));
            }
        }
        return values;
    }

    private static String example(Kind kind) {
        return kind.name().equals("tree") ? "tree,2,3" : kind.name() + ",3";
    }

    private static String knownKinds() {
        return String.join(", ", KINDS.stream().map(Kind::usage).toList());
    }

    private static void requirePositive(String spec, String param, int value) {
        if (value < 1) {
            throw new TopologyException("topology '" + spec + "': " + param + " must be at least 1");
        }
    }

    private static void requireWithinLimit(String spec, long count, String what) {
        if (count > MAX_NODES) {
            throw new TopologyException("topology '" + spec + "' would have more than " + MAX_NODES + " " + what
                    + "; at most " + MAX_NODES + " hosts and " + MAX_NODES
                    + " switches keep generated interface names within Linux's 15 bytes");
        }
    }
}
