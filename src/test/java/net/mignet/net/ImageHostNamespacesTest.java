package net.mignet.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import net.mignet.kernel.Command;
import net.mignet.kernel.EmulationId;
import net.mignet.testing.KernelAssumptions;
import net.mignet.testing.TestImages;
import net.mignet.topo.HostContainer;
import net.mignet.topo.Ipv4Prefix;
import net.mignet.topo.Lab;
import net.mignet.topo.Topology;
import net.mignet.topo.YamlTopologyLoader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An image host's PID, UTS and IPC namespaces are each optional: one turned off is the machine's. */
class ImageHostNamespacesTest {
    @BeforeEach
    void needsImages() {
        KernelAssumptions.assumeTool("nft");
        TestImages.assumeDebian13();
    }

    @Test
    void a_host_without_its_own_pid_and_uts_namespaces_shares_them_with_the_machine() throws Exception {
        HostContainer shared = HostContainer.of(TestImages.DEBIAN_13).withNamespaces(
                EnumSet.of(HostContainer.Namespace.IPC));
        Topology t = Topology.builder("imgns")
                .addHost("h1", Ipv4Prefix.parse("10.0.0.1/24"), shared)
                .addHost("h2", Ipv4Prefix.parse("10.0.0.2/24"), HostContainer.of(TestImages.DEBIAN_13))
                .addSwitch("s1").addLink("h1", "s1").addLink("h2", "s1").build();
        String machine = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        EmulationId id;
        try (Emulation net = Emulation.start(t)) {
            id = net.id();
            Host h1 = net.host("h1");
            Host h2 = net.host("h2");
            assertThat(h1.ownNamespaces()).contains("mount/ipc");
            assertThat(h2.ownNamespaces()).contains("mount/pid/uts/ipc");
            // Its own root all the same.
            assertThat(h1.exec("cat", "/etc/os-release").orThrow().stdout()).contains("VERSION_ID=\"13\"");
            assertThat(h1.exec("hostname").orThrow().stdout().strip()).isEqualTo(machine);
            assertThat(h2.exec("hostname").orThrow().stdout().strip()).isEqualTo("h2");
            // The machine's process table: the test's own JVM is in it, and pid 1 is the machine's init.
            String self = Long.toString(ProcessHandle.current().pid());
            assertThat(h1.exec("cat", "/proc/" + self + "/comm").exitCode()).isZero();
            assertThat(h1.exec("cat", "/proc/1/comm").orThrow().stdout().strip()).isNotEqualTo("catatonit");
            assertThat(h2.exec("cat", "/proc/1/comm").orThrow().stdout().strip()).isEqualTo("catatonit");
            assertThat(h2.exec("test", "-e", "/proc/" + self).exitCode()).isNotZero();
            // Its own IPC namespace still: not the machine's.
            String machineIpc = Files.readSymbolicLink(Path.of("/proc/self/ns/ipc")).toString();
            assertThat(h1.exec("readlink", "/proc/self/ns/ipc").orThrow().stdout().strip()).isNotEqualTo(machineIpc);
            assertThat(h1.ping(h2.ip().toString(), 1).allReceived()).isTrue();
        }
        assertThat(Command.check(List.of("findmnt", "-rn", "-o", "TARGET")).stdout())
                .doesNotContain(id.stateDirectory().toString());
        assertThat(ImageHostTest.cgroupsOf(id)).isEmpty();
    }

    @Test
    void the_topology_file_turns_them_off_one_by_one_and_only_on_image_hosts() {
        Lab lab = YamlTopologyLoader.parseLab("""
                hosts:
                  h1: {ip: 10.0.0.1/24, image: debian:13, pid_namespace: false, uts_namespace: false}
                  h2: {ip: 10.0.0.2/24, image: debian:13}
                  h3: {ip: 10.0.0.3/24}
                """, "n.yaml");
        assertThat(lab.topology().hosts().get(0).container().namespaces())
                .containsExactly(HostContainer.Namespace.IPC);
        assertThat(lab.topology().hosts().get(1).container().namespaces())
                .containsExactlyInAnyOrder(HostContainer.Namespace.values());
        assertThat(lab.topology().hosts().get(2).container().namespaces()).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> YamlTopologyLoader.parseLab("""
                hosts:
                  h1: {ip: 10.0.0.1/24, uts_namespace: false}
                """, "n.yaml")).hasMessageContaining("n.yaml:2").hasMessageContaining("is for hosts with an image");
    }
}
