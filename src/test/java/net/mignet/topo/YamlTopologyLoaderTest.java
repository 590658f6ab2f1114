package net.mignet.topo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import net.mignet.flow.FlowAction;
import net.mignet.flow.FlowMatch;
import net.mignet.flow.FlowRule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class YamlTopologyLoaderTest {

    /** The example of the format's documentation, without its flows (see flowsAreParsedWithLineNumbers). */
    private static final String EXAMPLE = """
            name: service-migration          # optional
            hosts:
              h1: {ip: 10.0.0.11/24}
              h2:
            switches:
              s1:
            links:
              - ends: [h1, s1]               # short form
              - ends:
                  - {node: h2, intf: h2-s1, ip: 10.0.0.12/24, mac: "00:00:00:00:00:12"}
                  - {node: s1, intf: s1-h2}
                bw: 1000
                delay: 5ms
                jitter: 1ms
                loss: 10%
            """;

    private static Topology exampleWithoutFlows() {
        return Topology.builder("service-migration")
                .addHost("h1", "10.0.0.11/24").addHost("h2").addSwitch("s1")
                .addLink("h1", "s1")
                .addLink("h2", "s1", o -> o.intfName1("h2-s1").ip1("10.0.0.12/24").mac1("00:00:00:00:00:12")
                        .intfName2("s1-h2").bw(1000).delay("5ms").jitter("1ms").loss(10))
                .build();
    }

    @Test
    void theDocumentedExampleLoadsToTheExpectedTopology() {
        Topology t = YamlTopologyLoader.parse(EXAMPLE, "example.yaml");

        assertThat(t).isEqualTo(exampleWithoutFlows());
        assertThat(t.links().getFirst().a()).isEqualTo(new LinkEnd("h1", "h1-eth0", Ipv4Prefix.parse("10.0.0.11/24"), null));
        assertThat(t.links().get(1).params())
                .isEqualTo(new LinkParams(1000.0, Duration.ofMillis(5), Duration.ofMillis(1), 10.0));
    }

    @Test
    void flowsAreParsedWithLineNumbers() throws IOException {
        String withFlows = EXAMPLE.replace("  s1:\n", "  s1:\n    flows:\n      - in_port=s1-h1 actions=output:s1-h2\n");
        FlowRule rule = new FlowRule(FlowRule.DEFAULT_PRIORITY, FlowMatch.ANY.withInPort("s1-h1"),
                new FlowAction.Output(List.of("s1-h2")));
        Topology t = YamlTopologyLoader.parse(withFlows, "example.yaml");
        assertThat(t.switchNamed("s1").orElseThrow().flows()).containsExactly(rule);

        String missingPort = EXAMPLE.replace("  s1:\n", "  s1:\n    flows:\n      - in_port=s1-h1 actions=output:s1_h2\n");
        assertThatThrownBy(() -> YamlTopologyLoader.parse(missingPort, "t.yaml"))
                .hasMessageContaining("t.yaml:8: flow 'in_port=s1-h1 actions=output:s1_h2' names port 's1_h2',"
                        + " which switch 's1' does not have (did you mean 's1-h2'?) (its ports: s1-h1, s1-h2)");

        String malformed = EXAMPLE.replace("  s1:\n", "  s1:\n    flows:\n      - in_port=s1-h1 actions=teleport\n");
        assertThatThrownBy(() -> YamlTopologyLoader.parse(malformed, "t.yaml"))
                .hasMessageStartingWith("t.yaml:8: flow 'in_port=s1-h1 actions=teleport': ");

        Topology scenario = YamlTopologyLoader.load(Path.of("examples/service-migration.yaml"));
        assertThat(scenario).isEqualTo(expectedScenario(scenario.switchNamed("s1").orElseThrow().flows()));
        assertThat(scenario.switchNamed("s1").orElseThrow().flows()).extracting(FlowRule::match)
                .extracting(FlowMatch::inPort).containsExactly("s1-h1", "s1-h2", "s1-h3");
        assertThat(scenario.switchNamed("s1").orElseThrow().flows()).extracting(FlowRule::action).containsExactly(
                new FlowAction.Output(List.of("s1-h2")), new FlowAction.Output(List.of("s1-h1")),
                new FlowAction.Output(List.of("s1-h1")));
    }

    /** The scenario file's flows need FlowRuleParser; everything else about the file is checked here. */
    @Test
    void theScenarioFileDescribesTheReferenceNetwork() throws IOException {
        String yaml = Files.readString(Path.of("examples/service-migration.yaml"));
        String withoutFlows = yaml.replaceAll("(?m)^    flows:\\n(      - .*\\n)+", "");
        assertThat(withoutFlows).doesNotContain("actions=");

        Topology t = YamlTopologyLoader.parse(withoutFlows, "examples/service-migration.yaml");

        assertThat(t).isEqualTo(expectedScenario(List.of()));
    }

    private static Topology expectedScenario(List<FlowRule> flows) {
        TopologyBuilder b = Topology.builder("service-migration")
                .addHost("h1", "10.0.0.11/24").addHost("h2").addHost("h3").addSwitch("s1")
                .addLink("h1", "s1", o -> o.intfName1("h1-s1").intfName2("s1-h1").bw(1000).delay("5ms"))
                .addLink("h2", "s1", o -> o.intfName1("h2-s1").ip1("10.0.0.12/24").mac1("00:00:00:00:00:12")
                        .intfName2("s1-h2").bw(1000).delay("5ms"))
                .addLink("h3", "s1", o -> o.intfName1("h3-s1").ip1("10.0.0.12/24").mac1("00:00:00:00:00:12")
                        .intfName2("s1-h3").bw(1000).delay("5ms"))
                .addLink("h2", "s1", o -> o.intfName1("h2-s1-int").ip1("192.168.0.12/24").intfName2("s1-h2-int")
                        .bw(1000).delay("1ms"))
                .addLink("h3", "s1", o -> o.intfName1("h3-s1-int").ip1("192.168.0.13/24").intfName2("s1-h3-int")
                        .bw(1000).delay("1ms"));
        flows.forEach(f -> b.addFlow("s1", f));
        return b.build();
    }

    @Test
    void theTwoHostsExampleLoads() {
        Topology t = YamlTopologyLoader.load(Path.of("examples/two-hosts.yaml"));

        assertThat(t.name()).isEqualTo("two-hosts");
        assertThat(t.interfacesOf("h2")).containsExactly(new LinkEnd("h2", "h2-eth0", Ipv4Prefix.parse("10.0.0.2/24"), null));
        assertThat(t.portsOf("s1")).containsExactly("s1-h1", "s1-h2");
    }

    @Test
    void containerlabStyleEndsNameTheInterface() {
        Topology t = YamlTopologyLoader.parse("""
                hosts: {h1: }
                switches: {s1: }
                links:
                  - ends: ["h1:h1-s1", s1:p1]
                """, "t.yaml");

        assertThat(t.links().getFirst().a().interfaceName()).isEqualTo("h1-s1");
        assertThat(t.links().getFirst().b().interfaceName()).isEqualTo("p1");
    }

    @Test
    void theNameDefaultsToTheFileNameMadeValid(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("My Lab_2.yaml");
        Files.writeString(file, "hosts:\n  h1:\n");

        assertThat(YamlTopologyLoader.load(file).name()).isEqualTo("my-lab-2");
        assertThat(YamlTopologyLoader.defaultName("a/b/--Very.Long.Name.Of.A.Topology.File.yml"))
                .isEqualTo("very-long-name-of-a-topo");
        assertThat(YamlTopologyLoader.defaultName("<stdin>")).isEqualTo("stdin");
        assertThat(YamlTopologyLoader.defaultName("___")).isEqualTo("topology");
    }

    // ---- errors: each names file:line, what is wrong and what to write

    private static TopologyException problem(String yaml) {
        return catchThrowableOfType(TopologyException.class, () -> YamlTopologyLoader.parse(yaml, "t.yaml"));
    }

    @Test
    void anEmptyFileIsRefusedClearly() {
        assertThat(problem("")).hasMessageContaining("t.yaml: the file is empty");
        assertThat(problem("# only a comment\n")).hasMessageContaining("t.yaml: the file is empty");
    }

    @Test
    void aMissingFileIsNamed() {
        assertThatThrownBy(() -> YamlTopologyLoader.load(Path.of("no/such/topology.yaml")))
                .isInstanceOf(TopologyException.class)
                .hasMessageStartingWith("no/such/topology.yaml: no such file");
    }

    @Test
    void aDirectoryIsNamedAsOne(@TempDir Path dir) {
        // Reading it gave "cannot be read: java.io.IOException: Is a directory".
        assertThatThrownBy(() -> YamlTopologyLoader.load(dir)).isInstanceOf(TopologyException.class)
                .hasMessage(dir + ": is a directory, not a topology file; give the path of a YAML topology file, e.g."
                        + " examples/two-hosts.yaml");
        assertThatThrownBy(() -> YamlTopologyLoader.loadExperiment(dir)).hasMessageContaining("is a directory")
                .hasMessageNotContaining("IOException");
    }

    @Test
    void brokenYamlGivesTheParsersLine() {
        TopologyException e = problem("""
                hosts:
                  h1: {ip: 10.0.0.1/24
                switches:
                """);

        assertThat(e.problems()).singleElement().asString().startsWith("t.yaml:3: the YAML is malformed: ");
    }

    @Test
    void badIndentationGivesItsLine() {
        assertThat(problem("hosts:\n  h1:\n   h2:\n  - x\n").problems()).singleElement().asString()
                .startsWith("t.yaml:4: the YAML is malformed");
    }

    @Test
    void aListWhereAMappingBelongsIsRefused() {
        assertThat(problem("hosts: [h1, h2]\n")).hasMessage(
                "t.yaml:1: hosts must be a mapping of 'key: value' lines, e.g. an indented line"
                        + " 'h1: {ip: 10.0.0.11/24}' (or just 'h1:') per host; found a list");
        assertThat(problem("- h1\n")).hasMessageStartingWith("t.yaml:1: a topology file must be a mapping");
    }

    @Test
    void anUnknownKeyGetsASuggestion() {
        assertThat(problem("hosts:\n  h1:\nswtiches:\n  s1:\n")).hasMessage(
                "t.yaml:3: unknown key 'swtiches' in a topology file (did you mean 'switches'?);"
                        + " allowed here: name, hosts, switches, links, apps, timeline, sweep");
        assertThat(problem("links:\n  - endpoints: [a, b]\n")).hasMessageContaining(
                "t.yaml:2: unknown key 'endpoints' in a link (did you mean 'ends'?)");
        assertThat(problem("hosts:\n  h1: {adress: 10.0.0.1/24}\n")).hasMessageContaining(
                "allowed here: ip").hasMessageNotContaining("did you mean");
    }

    @Test
    void badAddressesAndDurationsGiveTheirLine() {
        assertThat(problem("hosts:\n  h1: {ip: 10.0.0.300/24}\n"))
                .hasMessage("t.yaml:2: ip: '10.0.0.300' has an octet over 255");
        TopologyException e = problem("""
                hosts: {h1: }
                switches: {s1: }
                links:
                  - ends:
                      - {node: h1, mac: "00:00:00:12"}
                      - s1
                    delay: 5
                    jitter: 1.5 weeks
                    bw: fast
                    loss: 120%
                """);
        assertThat(e.problems()).containsExactly(
                "t.yaml:5: mac: '00:00:00:12' is not a MAC address (write it like 00:00:00:00:00:12)",
                "t.yaml:7: delay: '5' has no unit (write it like 5ms, 200us, 1s, 2min or 1h)",
                "t.yaml:8: jitter: '1.5 weeks' is not a duration (write it like 5ms, 200us, 1s, 2min or 1h)",
                "t.yaml:9: bw: 'fast' is not a rate; write the rate in Mbit/s as a number above 0, e.g. 'bw: 1000'",
                "t.yaml:10: loss: '120%' is outside 0..100 %; e.g. 10%");
    }

    @Test
    void aLoopOfLearningSwitchesIsRefusedAtTheLinkThatClosesIt() {
        String loop = """
                hosts: {h1: , h2: }
                switches:
                  s1:
                  s2:
                  s3:
                links:
                  - ends: [h1, s1]
                  - ends: [h2, s2]
                  - ends: [s1, s2]
                  - ends: [s2, s3]
                  - ends: [s3, s1]
                """;
        assertThat(problem(loop).problems()).singleElement().asString()
                .startsWith("t.yaml:11: link s3-s1 closes a loop of switches s3 -> s2 -> s1 -> s3; they forward by"
                        + " learning alone and run no spanning tree")
                .contains("Remove one of the loop's links");
        assertThat(problem("hosts: {h1: }\nswitches: {s1: , s2: }\nlinks:\n  - ends: [h1, s1]\n"
                + "  - ends: [s1, s2]\n  - ends: [s2, s1]\n").problems()).singleElement().asString().startsWith("t.yaml:6: link s2-s1 closes a"
                        + " loop of switches s2 -> s1 -> s2");
        // Rules alone do not break it: what no rule matches is bridged, broadcasts included.
        String programmed = loop.replace("  s3:\n", "  s3:\n    flows:\n      - in_port=s3-s2 actions=drop\n");
        assertThat(problem(programmed).problems()).singleElement().asString().contains("closes a loop");
        // A switch that forwards only by its rules (fail-mode: secure) may close one: the design is the user's.
        String rulesOnly = programmed.replace("    flows:\n", "    fail-mode: secure\n    flows:\n");
        assertThat(YamlTopologyLoader.parse(rulesOnly, "t.yaml").links()).hasSize(5);
        String secure = loop.replace("  s3:\n", "  s3: {controller: \"tcp:127.0.0.1:6653\", fail-mode: secure}\n");
        assertThat(YamlTopologyLoader.parse(secure, "t.yaml").links()).hasSize(5);
        // Standalone (the default), an OpenFlow switch is a learning bridge until its controller has connected.
        String standalone = loop.replace("  s3:\n", "  s3: {controller: \"tcp:127.0.0.1:6653\"}\n");
        assertThat(problem(standalone).problems()).singleElement().asString().contains("closes a loop");
    }

    @Test
    void aLinkNeedsExactlyTwoEnds() {
        assertThat(problem("""
                hosts: {h1: , h2: }
                switches: {s1: }
                links:
                  - ends: [h1, h2, s1]
                """)).hasMessage("t.yaml:4: a link has exactly 2 ends, this one has 3;"
                        + " write one link per pair of nodes, e.g. 'ends: [h1, s1]'");
        assertThat(problem("links:\n  - bw: 10\n")).hasMessage("t.yaml:2: a link needs its two ends, e.g. 'ends: [h1, s1]'");
    }

    @Test
    void anUnknownNodeGivesTheLineOfTheEndAndASuggestion() {
        assertThat(problem("""
                hosts:
                  h1:
                switches:
                  s1:
                links:
                  - ends: [h1, s1]
                  - ends:
                      - h1
                      - {node: s2}
                """)).hasMessage("t.yaml:9: link h1 <-> s2 names node 's2', which is not declared"
                        + " (did you mean 's1'?); declare it under hosts or switches, or fix the name");
    }

    @Test
    void badInterfaceNamesGiveTheirLine() {
        TopologyException e = problem("""
                hosts: {h1: , h2: }
                switches: {s1: }
                links:
                  - ends: ["h1:h1-sixteen-bytes", s1]
                  - ends:
                      - h2
                      - {node: s1, intf: "s1/h2"}
                """);
        assertThat(e.problems()).containsExactly(
                "t.yaml:4: interface name 'h1-sixteen-bytes' is 16 bytes; Linux allows at most 15"
                        + " (name it explicitly with a shorter name, e.g. h1-sixteen-byte)",
                "t.yaml:7: interface name 's1/h2' may use only letters, digits, '_', '.' and '-'");
    }

    @Test
    void aTooLongChosenInterfaceNameSaysToNameIt() {
        assertThat(problem("""
                hosts: {client-machine: }
                switches: {s1: }
                links:
                  - ends: [client-machine, s1]
                """).problems()).containsExactly(
                "t.yaml:4: link client-machine <-> s1: the default interface name on 'client-machine' does not fit:"
                        + " interface name 'client-machine-eth0' is 19 bytes; Linux allows at most 15 (name it"
                        + " explicitly with a shorter name, e.g. client-machine-); write the end as"
                        + " 'client-machine:NAME'",
                "t.yaml:4: link client-machine <-> s1: the default interface name on 's1' does not fit:"
                        + " interface name 's1-client-machine' is 17 bytes; Linux allows at most 15 (name it"
                        + " explicitly with a shorter name, e.g. s1-client-machi); write the end as 's1:NAME'");
    }

    @Test
    void aNodeDeclaredTwiceIsRefusedNotMerged() {
        assertThat(problem("""
                hosts:
                  h1: {ip: 10.0.0.1/24}
                  h1: {ip: 10.0.0.2/24}
                """)).hasMessage("t.yaml:3: node 'h1' is declared twice (as a host on line 2, again as a host"
                        + " here); give each node its own name");
        assertThat(problem("""
                hosts:
                  s1:
                switches:
                  s1:
                """)).hasMessageStartingWith("t.yaml:4: node 's1' is declared twice (as a host on line 2, again as a switch");
    }

    @Test
    void aKeyGivenTwiceIsRefused() {
        assertThat(problem("hosts: {h1: }\nswitches: {s1: }\nlinks:\n  - ends: [h1, s1]\n    bw: 10\n    bw: 100\n"))
                .hasMessage("t.yaml:6: 'bw' is given twice in a link (first on line 5); keep one");
    }

    @Test
    void twoInterfacesWithOneNameOnANodeAreRefused() {
        assertThat(problem("""
                hosts: {h1: }
                switches: {s1: }
                links:
                  - ends: ["h1:eth0", s1]
                  - ends: ["h1:eth0", s1]
                """)).hasMessage("t.yaml:5: node 'h1' has two interfaces named 'eth0' (the other on line 4);"
                        + " name them differently");
    }

    @Test
    void aLinkToItselfIsRefused() {
        assertThat(problem("switches: {s1: }\nlinks:\n  - ends: [s1, s1]\n"))
                .hasMessage("t.yaml:3: link s1 <-> s1 connects node 's1' to itself; a link needs two different nodes");
    }

    @Test
    void anAddressOnASwitchPortIsRefused() {
        assertThat(problem("""
                hosts: {h1: }
                switches: {s1: }
                links:
                  - ends: [h1, {node: s1, ip: 10.0.0.1/24}]
                """)).hasMessageStartingWith("t.yaml:4: link h1 <-> s1 gives switch port s1 the address 10.0.0.1/24;");
    }

    @Test
    void badNamesAreRefusedAtTheirLine() {
        assertThat(problem("name: Service Migration\nhosts:\n  1h:\n").problems()).containsExactly(
                "t.yaml:1: topology name 'Service Migration' must be 1-24 characters of lower-case letters, digits"
                        + " and '-', starting with a letter or digit, e.g. service-migration",
                "t.yaml:3: node name '1h' must start with a letter and use only letters, digits, '_' and '-'"
                        + " (at most 32 characters), e.g. h1 or s1");
    }

    @Test
    void allProblemsAreReportedTogetherInLineOrder() {
        TopologyException e = problem("""
                hosts:
                  h1: {ip: 10.0.0.1}
                switches:
                  s1:
                links:
                  - ends: [h1, s9]
                  - ends: [h1]
                hots:
                """);

        assertThat(e.problems()).hasSize(4);
        assertThat(e.problems()).extracting(p -> p.substring(0, p.indexOf(':', 7)))
                .containsExactly("t.yaml:2", "t.yaml:6", "t.yaml:7", "t.yaml:8");
        assertThat(e).hasMessageStartingWith("4 problems in topology:\n  - t.yaml:2: ip: '10.0.0.1' has no prefix length");
    }
}
