package net.mignet.topo;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A topology file as a whole: the network, the apps it deploys, and the experiment's timeline.
 *
 * @param apps     every app of the {@code apps:} section
 * @param timeline the {@code timeline:} steps, empty when there is none
 */
public record Lab(Topology topology, List<AppSpec> apps, List<TimedStep> timeline) {
    public Lab {
        apps = List.copyOf(apps);
        timeline = List.copyOf(timeline);
    }

    public Lab(Topology topology, List<AppSpec> apps) {
        this(topology, apps, List.of());
    }

    /** The apps started with the network: all but those a timeline step deploys later. */
    public List<AppSpec> appsAtStart() {
        Set<String> later = deployedLater(timeline);
        return apps.stream().filter(a -> !later.contains(a.name())).toList();
    }

    public AppSpec app(String name) {
        return apps.stream().filter(a -> a.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no app named '" + name + "' in the file"));
    }

    private static Set<String> deployedLater(List<TimedStep> steps) {
        return steps.stream().flatMap(s -> switch (s.step()) {
            case TimelineStep.Deploy d -> java.util.stream.Stream.of(d.app());
            case TimelineStep.Repeat r -> deployedLater(r.steps()).stream();
            default -> java.util.stream.Stream.<String>empty();
        }).collect(Collectors.toSet());
    }
}
