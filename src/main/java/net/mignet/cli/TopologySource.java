package net.mignet.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import net.mignet.topo.Lab;
import net.mignet.topo.SweepRun;
import net.mignet.topo.Topology;
import net.mignet.topo.TopologyGenerators;
import net.mignet.topo.YamlTopologyLoader;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Where a topology comes from: a YAML file, or a built-in generator such as {@code single,3}. */
final class TopologySource {
    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "topology file (YAML)")
    Path file;

    @Option(names = "--topo", paramLabel = "SPEC",
            description = "built-in topology instead of a file: minimal, single,N, linear,N, tree,DEPTH,FANOUT")
    String spec;

    Topology load() {
        return loadLab().topology();
    }

    /** The topology with the apps a file's {@code apps:} section deploys (a built-in topology has none). */
    Lab loadLab() {
        if (file != null && spec != null) {
            throw new IllegalArgumentException("give a topology file or --topo, not both");
        }
        if (file != null) {
            return YamlTopologyLoader.loadLab(file);
        }
        return new Lab(TopologyGenerators.fromSpec(spec == null ? "minimal" : spec), java.util.List.of());
    }

    /** The runs of the file's experiment, one per combination of its {@code sweep:} (one without a sweep). */
    List<SweepRun> loadExperiment() {
        if (file != null && spec == null) {
            return YamlTopologyLoader.loadExperiment(file);
        }
        return List.of(new SweepRun(Map.of(), loadLab()));
    }
}
