package net.mignet.topo;

import java.util.List;

/** A topology that cannot be built; carries every problem found, each saying where and what to write instead. */
public final class TopologyException extends RuntimeException {
    private final List<String> problems;

    public TopologyException(List<String> problems) {
        super(problems.size() == 1 ? problems.getFirst()
                : problems.size() + " problems in topology:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public TopologyException(String problem) {
        this(List.of(problem));
    }

    public List<String> problems() {
        return problems;
    }
}
