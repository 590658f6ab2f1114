package net.mignet.topo;

import java.util.List;
import java.util.function.Consumer;

/** Checks that the steps of a timeline name apps, hosts and links the file has. */
final class TimelineReferences {
    private final Topology topology;
    private final List<AppSpec> apps;
    private final SourceProblems problems;

    TimelineReferences(Topology topology, List<AppSpec> apps, SourceProblems problems) {
        this.topology = topology;
        this.apps = apps;
        this.problems = problems;
    }

    void check(List<TimedStep> steps) {
        for (TimedStep s : steps) {
            Consumer<String> problem = m -> problems.add(s.line(), m);
            switch (s.step()) {
                case TimelineStep.Deploy d -> app(d.app(), problem);
                case TimelineStep.Stop d -> app(d.app(), problem);
                case TimelineStep.AwaitApp w -> app(w.app(), problem);
                case TimelineStep.Migrate m -> {
                    app(m.app(), problem);
                    host(m.host(), problem);
                    migrationOptions(m, problem);
                }
                case TimelineStep.LinkSet l -> link(l.node1(), l.node2(), problem);
                case TimelineStep.LinkState l -> link(l.node1(), l.node2(), problem);
                case TimelineStep.Repeat r -> check(r.steps());
                case TimelineStep.HostFault h -> host(h.host(), problem);
                case TimelineStep.Flap fl -> link(fl.node1(), fl.node2(), problem);
                case TimelineStep.Pause _ -> {
                }
            }
        }
    }

    /** What would otherwise stop the timeline when the step runs, said when the file is read. */
    private void migrationOptions(TimelineStep.Migrate m, Consumer<String> problem) {
        boolean lazy = "true".equalsIgnoreCase(m.options().getOrDefault("lazy", "false").trim());
        apps.stream().filter(a -> a.name().equals(m.app())).findFirst().ifPresent(a -> {
            if (lazy && !a.pidNamespace()) {
                problem.accept("lazy: true (post-copy) needs app '" + a.name() + "' in a pid namespace of its own:"
                        + " give it 'pid_namespace: true' under 'apps:'");
            }
        });
        boolean placeholder = m.strategy() != null && m.strategy().startsWith("${"); // said elsewhere if unknown
        if (m.options().keySet().stream().anyMatch(MigrationRecipe.KEYS::contains) && !placeholder) {
            MigrationRecipe.keysIgnoredBy(m.strategy()).ifPresent(problem);
        }
    }

    private void app(String name, Consumer<String> problem) {
        List<String> names = apps.stream().map(AppSpec::name).toList();
        if (!names.contains(name)) {
            problem.accept("the timeline names app '" + name + "', which the 'apps:' section does not declare"
                    + Suggestions.didYouMean(name, names) + (names.isEmpty() ? "; declare it under 'apps:'"
                            : " (apps: " + String.join(", ", names) + ")"));
        }
    }

    private void host(String name, Consumer<String> problem) {
        List<String> hosts = topology.hosts().stream().map(HostSpec::name).toList();
        if (!hosts.contains(name)) {
            problem.accept("the timeline names host '" + name + "', which is not a host of this topology"
                    + Suggestions.didYouMean(name, hosts) + " (hosts: " + String.join(", ", hosts) + ")");
        }
    }

    private void link(String a, String b, Consumer<String> problem) {
        LinkSelector selector = LinkSelector.of(a, b);
        if (selector.in(topology).isEmpty()) {
            problem.accept("the timeline names a link between '" + a + "' and '" + b + "', which this topology"
                    + " does not have; name the two nodes of one of its links (or node:interface)");
        }
    }
}
