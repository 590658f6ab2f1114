package net.mignet.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import net.mignet.image.CriuInstallation;
import net.mignet.image.CriuLookup;
import net.mignet.kernel.ChildSpawn;
import net.mignet.kernel.ProcessExit;
import net.mignet.net.Emulation;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.TopologyGenerators;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An app on terminals checkpointed with CRIU on one host and restored on another: the log goes on. Needs a
 * working criu (4.2 or newer on recent kernels), found or built by {@link CriuInstallation}; skipped otherwise.
 */
class CheckpointedAppTest {
    private static final Map<String, String> ENV = Map.of("PATH", System.getenv("PATH"));

    private static List<String> criu(CriuInstallation installation, List<String> args) {
        List<String> argv = new ArrayList<>(installation.criu().command());
        argv.addAll(args);
        return argv;
    }

    @Test
    void a_restored_copy_writes_on_into_the_same_terminals_and_log(@TempDir Path images) throws Exception {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("python3");
        CriuLookup lookup = CriuInstallation.find();
        if (!lookup.isAvailable()) {
            System.err.println("SKIPPED: needs criu: " + lookup.unavailableReason());
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(lookup.isAvailable(), lookup::unavailableReason);
        CriuInstallation root = lookup.installation();
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2"));
                AppManager apps = new AppManager(net)) {
            App old = apps.deploy("ticker", net.host("h1"), List.of("python3", "-c", """
                    import sys, threading, time
                    def echo():
                        for line in sys.stdin:
                            print("got", line.strip(), flush=True)
                    threading.Thread(target=echo, daemon=True).start()
                    i = 0
                    while True:
                        print("tick", i)
                        print("tock", i, file=sys.stderr)
                        i += 1
                        time.sleep(0.05)
                    """));
            assertThat(old.log().await(l -> l.text().equals("tick 3"), Duration.ofSeconds(10))).isPresent();

            List<String> dump = new ArrayList<>(List.of("dump", "-t", Long.toString(old.pid()), "-D",
                    images.toString(), "-o", "dump.log", "--shell-job"));
            old.terminals().forEach(t -> dump.addAll(List.of("--external", t.criuKey())));
            long criu = ChildSpawn.inNetworkNamespace(net.host("h1").namespace(), criu(root, dump), ENV, 0, 1, 2);
            assertThat(ProcessExit.await(criu)).as("criu dump, see " + images + "/dump.log").hasValue(0);
            assertThat(old.awaitExit(Duration.ofSeconds(5))).isTrue();

            List<String> restore = new ArrayList<>(List.of("restore", "-D", images.toString(), "-o", "restore.log",
                    "--shell-job", "--restore-detached", "--restore-sibling", "--pidfile",
                    images.resolve("pid").toString()));
            int[] stdio = {0, 1, 2, 0, 0, 0};
            for (AppTerminal t : old.terminals()) {
                stdio[3 + t.appFd()] = t.mignetFd();
                restore.addAll(List.of("--inherit-fd", "fd[" + (3 + t.appFd()) + "]:" + t.criuKey()));
            }
            criu = ChildSpawn.inNetworkNamespace(net.host("h2").namespace(), criu(root, restore), ENV, stdio);
            assertThat(ProcessExit.await(criu)).as("criu restore, see " + images + "/restore.log").hasValue(0);
            long pid = Long.parseLong(Files.readString(images.resolve("pid")).trim());
            App restored = apps.adoptRestored(old, net.host("h2"), pid);

            long ticks = old.log().lines(LogLine.Stream.STDOUT).size();
            assertThat(restored.log().await(l -> l.text().equals("tick " + (ticks + 2)), Duration.ofSeconds(5)))
                    .as("the restored copy goes on counting in the same log").isPresent();
            assertThat(restored.log().await(l -> l.text().equals("tock " + (ticks + 2)), Duration.ofSeconds(5))
                    .map(LogLine::stream)).hasValue(LogLine.Stream.STDERR);
            restored.sendLine("after the move");
            assertThat(restored.log().await(l -> l.text().equals("got after the move"), Duration.ofSeconds(5)))
                    .as("standard input still reaches it").isPresent();
            assertThat(Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net")).toString())
                    .contains(Files.getAttribute(Path.of("/run/netns", net.host("h2").namespace()), "unix:ino")
                            .toString());
            assertThat(old.exitStatus()).isEqualTo(OptionalInt.empty());
            assertThat(restored.stop(Duration.ofSeconds(2))).as("a child of ours: its status is known")
                    .isEqualTo(128 + 15);
        }
    }
}
