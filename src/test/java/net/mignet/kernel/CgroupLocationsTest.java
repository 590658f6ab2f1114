package net.mignet.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a stand-in v1 memory hierarchy (plain directories): host cgroups made under the owner's own cgroup are found
 * and removed by a clean-up running in another cgroup (the tester's report: {@code clean --id} from another cgroup
 * said it succeeded and left {@code memory/process_api/<hash>/mignet.<id>.h2} behind).
 */
class CgroupLocationsTest {
    @TempDir
    Path dir;

    private CgroupMounts mounts(String ownMemoryCgroup) {
        return CgroupMounts.parse("35 31 0:32 / " + dir.resolve("memory") + " rw,relatime - cgroup cgroup rw,memory\n",
                "4:memory:" + ownMemoryCgroup + "\n", d -> "");
    }

    @Test
    void a_clean_up_from_another_cgroup_removes_the_hosts_made_under_the_owners() throws Exception {
        Path owner = Files.createDirectories(dir.resolve("memory/process_api/owner"));
        Files.createDirectories(dir.resolve("memory/probe"));
        HostCgroup.create("mignet.leak-1.h2", mounts("/process_api/owner"));
        Files.createDirectories(owner.resolve("mignet.leak-1.h2/app.a2")); // (createApp would write limit files)
        HostCgroup.create("mignet.other-1.h2", mounts("/process_api/owner"));
        assertThat(owner.resolve("mignet.leak-1.h2/app.a2")).isDirectory();

        List<Path> removed = HostCgroup.removeAll("mignet.leak-1.", mounts("/probe"));

        assertThat(removed).containsExactly(owner.resolve("mignet.leak-1.h2"));
        assertThat(owner.resolve("mignet.leak-1.h2")).doesNotExist();
        assertThat(owner.resolve("mignet.other-1.h2")).as("another emulation's").isDirectory();
    }

    @Test
    void leftovers_are_found_by_emulation_anywhere_within_the_search_depth_and_not_inside_a_host() throws Exception {
        Path root = dir.resolve("memory");
        Path shallow = Files.createDirectories(root.resolve("mignet.x-1.h1"));
        Path deep = Files.createDirectories(root.resolve("a/b/c/mignet.x-1.h2"));
        Path other = Files.createDirectories(root.resolve("a/mignet.y-2.h1"));
        Files.createDirectories(root.resolve("a/mignet.y-2.h1/mignet.z-3.h1")); // inside a host: not a host of z
        Files.createDirectories(root.resolve("a/not-ours"));

        assertThat(CgroupLocations.byEmulation(List.of(root))).containsOnlyKeys(new EmulationId("x-1"),
                new EmulationId("y-2"));
        assertThat(CgroupLocations.byEmulation(List.of(root)).get(new EmulationId("x-1")))
                .containsExactlyInAnyOrder(shallow, deep);
        assertThat(CgroupLocations.named("mignet.y-2.", List.of(root), List.of())).containsExactly(other);
    }

    @Test
    void a_recorded_parent_deeper_than_the_search_is_still_found() throws Exception {
        Path root = dir.resolve("memory");
        Path parent = root;
        for (int i = 0; i <= CgroupLocations.SEARCH_DEPTH; i++) {
            parent = parent.resolve("level" + i);
        }
        Path host = Files.createDirectories(parent.resolve("mignet.deep-1.h1"));
        Path state = Files.createDirectories(dir.resolve("run/deep-1"));
        CgroupLocations.record(state, List.of(parent));
        CgroupLocations.record(state, List.of(parent)); // twice, as for each host: recorded once

        assertThat(CgroupLocations.named("mignet.deep-1.", List.of(root), List.of())).isEmpty();
        assertThat(CgroupLocations.recorded(state)).containsExactly(parent);
        assertThat(CgroupLocations.named("mignet.deep-1.", List.of(root), CgroupLocations.recorded(state)))
                .containsExactly(host);
    }
}
