package net.mignet.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which hierarchy each controller is taken from, read from mountinfo, /proc/self/cgroup and cgroup.controllers. */
class CgroupMountsTest {
    /** This machine's layout: hybrid, every controller in v1, a v2 hierarchy with hugetlb only. */
    private static final String HYBRID = """
            23 1 0:22 / /sys rw,nosuid,nodev,noexec,relatime - sysfs sysfs rw
            31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
            33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
            35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
            39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
            40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
            41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            """;
    private static final String HYBRID_SELF = """
            9:name=systemd:/
            8:pids:/
            6:freezer:/
            4:memory:/process_api/c3fd
            2:cpuacct:/
            1:cpu:/
            0::/
            """;

    @Test
    void hybrid_takes_every_controller_from_v1_and_its_own_memory_cgroup_as_parent() {
        CgroupMounts m = CgroupMounts.parse(HYBRID, HYBRID_SELF, dir -> "hugetlb\n");
        assertThat(m.describe()).isEqualTo("cpu v1, cpuacct v1, memory v1, pids v1, freezer v1");
        assertThat(m.of("cpu").orElseThrow().mount()).isEqualTo(Path.of("/sys/fs/cgroup/cpu"));
        assertThat(m.of("memory").orElseThrow().ownCgroup()).isEqualTo(Path.of("/sys/fs/cgroup/memory/process_api/c3fd"));
        assertThat(m.unified().orElseThrow().mount()).isEqualTo(Path.of("/sys/fs/cgroup/unified"));
        assertThat(m.unified().orElseThrow().v2()).isTrue();
    }

    @Test
    void v2_wins_for_each_controller_it_offers_and_v1_keeps_the_others() {
        CgroupMounts m = CgroupMounts.parse(HYBRID, HYBRID_SELF, dir -> "memory pids\n");
        assertThat(m.describe()).isEqualTo("cpu v1, cpuacct v1, memory v2, pids v2, freezer v1");
        assertThat(m.of("memory").orElseThrow().parentForOurs()).isEqualTo(Path.of("/sys/fs/cgroup/unified"));
    }

    @Test
    void pure_v2_with_cpu_accounts_cpu_there_and_freezes_there() {
        String mountinfo = """
                25 19 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
                """;
        CgroupMounts m = CgroupMounts.parse(mountinfo, "0::/user.slice/session-1.scope\n",
                dir -> dir.equals(Path.of("/sys/fs/cgroup")) ? "cpuset cpu io memory hugetlb pids rdma misc\n" : "");
        assertThat(m.describe()).isEqualTo("cpu v2, cpuacct v2, memory v2, pids v2, freezer v2");
        assertThat(m.unified().orElseThrow().ownCgroup())
                .isEqualTo(Path.of("/sys/fs/cgroup/user.slice/session-1.scope"));
        assertThat(m.of("cpu").orElseThrow().parentForOurs()).isEqualTo(Path.of("/sys/fs/cgroup"));
        assertThat(m.unified().orElseThrow().localEvents()).isFalse();
    }

    @Test
    void v2_without_controllers_still_accounts_cpu_and_freezes_and_says_what_is_missing() {
        CgroupMounts m = CgroupMounts.parse("""
                41 31 0:38 / /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw,memory_localevents
                """, "0::/\n", dir -> "");
        assertThat(m.describe()).isEqualTo("cpuacct v2, freezer v2");
        assertThat(m.unified().orElseThrow().localEvents()).isTrue();
        assertThat(m.missing("memory").orElseThrow()).contains("memory controller")
                .contains("does not list it in cgroup.controllers");
        assertThat(m.missing("cpuacct")).isEmpty();
        assertThat(HostCgroup.unavailableReason(new net.mignet.topo.ResourceLimits(0.5, 0, 10), m).orElseThrow())
                .contains("the cpu controller").contains("the pids controller").doesNotContain("memory");
    }

    @Test
    void co_mounted_v1_controllers_and_escaped_paths_and_a_subtree_root() {
        String mountinfo = """
                32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 master:3 - cgroup cgroup rw,cpu,cpuacct
                35 31 0:32 /docker/abc /sys/fs/cgroup/mem\\040ory rw,relatime - cgroup cgroup rw,memory
                """;
        CgroupMounts m = CgroupMounts.parse(mountinfo, "3:cpu,cpuacct:/a/b\n4:memory:/docker/abc/inner\n",
                dir -> "");
        assertThat(m.describe()).isEqualTo("cpu v1, cpuacct v1, memory v1");
        assertThat(m.of("cpu").orElseThrow().mount()).isEqualTo(m.of("cpuacct").orElseThrow().mount())
                .isEqualTo(Path.of("/sys/fs/cgroup/cpu,cpuacct"));
        assertThat(m.of("cpu").orElseThrow().ownCgroup()).isEqualTo(Path.of("/sys/fs/cgroup/cpu,cpuacct/a/b"));
        // The mount shows the subtree /docker/abc: our cgroup /docker/abc/inner is "inner" below the mount point.
        assertThat(m.of("memory").orElseThrow().ownCgroup()).isEqualTo(Path.of("/sys/fs/cgroup/mem ory/inner"));
        assertThat(m.missing("pids").orElseThrow()).contains("no v2 hierarchy is mounted");
    }

    @Test
    void unified_only_keeps_what_v2_gives() {
        CgroupMounts m = CgroupMounts.parse(HYBRID, HYBRID_SELF, dir -> "pids").unifiedOnly();
        assertThat(m.describe()).isEqualTo("cpuacct v2, pids v2, freezer v2");
    }

    @Test
    void this_machines_choice_agrees_with_its_mount_table() throws Exception {
        CgroupMounts m = CgroupMounts.system();
        String mountinfo = Files.readString(Path.of("/proc/self/mountinfo"));
        System.err.println("cgroup controllers here: " + m.describe());
        for (Map.Entry<String, CgroupMounts.Hierarchy> e : m.controllers().entrySet()) {
            CgroupMounts.Hierarchy h = e.getValue();
            assertThat(Files.isDirectory(h.mount())).as(e.getKey()).isTrue();
            if (h.v2()) {
                assertThat(Files.exists(h.mount().resolve("cgroup.controllers"))).isTrue();
                if (List.of("cpu", "memory", "pids").contains(e.getKey())) {
                    assertThat(Files.readString(h.mount().resolve("cgroup.controllers")).split("\\s+"))
                            .contains(e.getKey());
                }
            } else {
                assertThat(mountinfo.lines().filter(l -> l.contains(" " + h.mount() + " ") && l.contains(" - cgroup ")))
                        .singleElement().satisfies(l -> assertThat(l.substring(l.lastIndexOf(' ') + 1).split(","))
                                .contains(e.getKey()));
            }
        }
    }
}
