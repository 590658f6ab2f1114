package net.mignet.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import net.mignet.kernel.Command;
import net.mignet.kernel.CommandResult;
import net.mignet.kernel.EmulationId;
import net.mignet.testing.KernelAssumptions;
import net.mignet.testing.TestImages;
import net.mignet.topo.HostContainer;
import net.mignet.topo.Ipv4Prefix;
import net.mignet.topo.Topology;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Hosts on a Debian 13 image: their own root, hostname, process table and /tmp; after teardown nothing is left. */
public class ImageHostTest {
    @BeforeEach
    void needsImages() {
        KernelAssumptions.assumeTool("nft");
        TestImages.assumeDebian13();
    }

    static Topology twoImageHosts(String name) {
        HostContainer debian = HostContainer.of(TestImages.DEBIAN_13);
        return Topology.builder(name)
                .addHost("h1", Ipv4Prefix.parse("10.0.0.1/24"), debian)
                .addHost("h2", Ipv4Prefix.parse("10.0.0.2/24"), debian)
                .addHost("h3", Ipv4Prefix.parse("10.0.0.3/24"))
                .addSwitch("s1").addLink("h1", "s1").addLink("h2", "s1").addLink("h3", "s1").build();
    }

    @Test
    void image_hosts_have_their_own_root_hostname_processes_and_tmp() {
        EmulationId id;
        try (Emulation net = Emulation.start(twoImageHosts("imghosts"))) {
            id = net.id();
            Host h1 = net.host("h1");
            assertThat(h1.exec("cat", "/etc/os-release").orThrow().stdout()).contains("VERSION_ID=\"13\"");
            assertThat(Command.check(List.of("cat", "/etc/os-release")).stdout()).doesNotContain("VERSION_ID=\"13\"");
            assertThat(h1.exec("hostname").orThrow().stdout().strip()).isEqualTo("h1");
            assertThat(net.host("h2").exec("hostname").orThrow().stdout().strip()).isEqualTo("h2");
            // Only h1's processes: its init (pid 1) and ps itself.
            List<String> ps = h1.exec("ps", "-e", "-o", "pid=,comm=").orThrow().stdout().lines()
                    .map(String::strip).toList();
            assertThat(ps).as(String.join("\n", ps)).hasSize(2).anyMatch(l -> l.startsWith("1 catatonit"))
                    .anyMatch(l -> l.endsWith(" ps"));
            assertThat(h1.exec("sh", "-c", "echo hello > /tmp/only-h1").exitCode()).isZero();
            assertThat(h1.exec("cat", "/tmp/only-h1").orThrow().stdout()).isEqualTo("hello\n");
            assertThat(net.host("h2").exec("test", "-e", "/tmp/only-h1").exitCode()).isNotZero();
            assertThat(Files.exists(Path.of("/tmp/only-h1"))).isFalse();
            // pingall: image hosts and the bare one reach each other.
            for (Host a : net.hosts()) {
                for (Host b : net.hosts()) {
                    if (a != b) {
                        assertThat(a.ping(b.ip().toString(), 1).allReceived()).as(a + " -> " + b).isTrue();
                    }
                }
            }
            // The bare host keeps the machine's file system.
            assertThat(net.host("h3").exec("cat", "/etc/os-release").orThrow().stdout())
                    .doesNotContain("VERSION_ID=\"13\"");
        }
        CommandResult mounts = Command.check(List.of("findmnt", "-rn", "-o", "TARGET"));
        assertThat(mounts.stdout()).doesNotContain(id.stateDirectory().toString());
        assertThat(id.stateDirectory()).doesNotExist();
        assertThat(cgroupsOf(id)).isEmpty();
    }

    @Test
    void an_image_host_starts_in_well_under_a_second_with_a_warm_cache() {
        long t0 = System.nanoTime();
        try (Emulation net = Emulation.start(twoImageHosts("imgfast"))) {
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertThat(seconds).isLessThan(3);
            assertThat(net.host("h1").exec(List.of("true"), Duration.ofSeconds(5)).exitCode()).isZero();
        }
    }

    @Test
    void a_host_runs_on_an_oci_layout_that_is_no_debian(@org.junit.jupiter.api.io.TempDir Path work)
            throws Exception {
        HostContainer oci = HostContainer.of(net.mignet.topo.HostImage.of(TestImages.catatonitLayout(work)));
        Topology t = Topology.builder("ocihost").addHost("h1", Ipv4Prefix.parse("10.0.0.1/24"), oci)
                .addHost("h2", Ipv4Prefix.parse("10.0.0.2/24")).addSwitch("s1").addLink("h1", "s1")
                .addLink("h2", "s1").build();
        try (Emulation net = Emulation.start(t)) {
            CommandResult r = net.host("h1").exec("/bin/catatonit", "-V");
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.stdout() + r.stderr()).contains("catatonit");
            // Nothing else is there: no shell, no os-release.
            assertThat(net.host("h1").exec("/bin/sh", "-c", "true").exitCode()).isNotZero();
        }
    }

    /** Cgroup directories named after the emulation, in any hierarchy (at most two levels deep). */
    public static List<Path> cgroupsOf(EmulationId id) {
        String prefix = EmulationId.NAMESPACE_PREFIX + id.value() + ".";
        try (Stream<Path> all = Files.walk(Path.of("/sys/fs/cgroup"), 4)) {
            return all.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
