package net.mignet.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.mignet.app.App;
import net.mignet.app.AppEvents;
import net.mignet.app.AppManager;
import net.mignet.app.AppState;
import net.mignet.app.LogLine;
import net.mignet.apps.CounterClient;
import net.mignet.apps.CounterService;
import net.mignet.kernel.Command;
import net.mignet.kernel.FreezerCgroup;
import net.mignet.kernel.NamespaceProcesses;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.TopologyGenerators;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Each fault against a real emulation: crash and restart, freeze and thaw (both methods), flap. */
class HostFaultsTest {

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("ping");
    }

    @Test
    void a_crash_kills_every_process_and_takes_the_interfaces_down_until_restart() throws Exception {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2"));
                AppManager apps = new AppManager(net)) {
            Host h1 = net.host("h1");
            Host h2 = net.host("h2");
            String h2ip = h2.ip().toString();
            assertThat(h1.ping(h2ip, 1).allReceived()).isTrue();
            App sleeper = apps.deploy("sleeper", h2, List.of("sleep", "600"));
            // A process mignet does not know as an app, with a child of its own: a crash takes it too.
            Process loose = h2.processBuilder(List.of("sh", "-c", "sleep 600 & wait")).start();
            awaitProcesses(h2, 3);

            HostFault fault = net.faults().crash("h2");

            assertThat(fault.kind()).isEqualTo(HostFault.Kind.CRASHED);
            assertThat(fault.pids()).contains(sleeper.pid(), loose.pid()).hasSizeGreaterThanOrEqualTo(3);
            assertThat(NamespaceProcesses.in(List.of(h2.namespace()))).isEmpty();
            assertThat(loose.waitFor(5, TimeUnit.SECONDS)).isTrue();
            assertThat(sleeper.awaitExit(Duration.ofSeconds(5))).isTrue();
            assertThat(sleeper.state()).isEqualTo(AppState.CRASHED);
            assertThat(sleeper.stateDescription()).isEqualTo("crashed (h2 crashed)");
            assertThat(sleeper.log().lines()).extracting(LogLine::text).anyMatch(t -> t.contains("h2 crashed"));
            assertThat(h2.condition()).isEqualTo(HostCondition.CRASHED);
            assertThat(Command.check(List.of("ip", "-n", h2.namespace(), "-o", "link", "show", "h2-eth0")).stdout())
                    .doesNotContain(",UP").doesNotContain("<UP");
            assertThat(h1.ping(h2ip, 1).received()).isZero();
            assertThatThrownBy(() -> apps.deploy("again", h2, List.of("sleep", "1")))
                    .hasMessageContaining("h2: it is crashed (restart h2 first)");
            assertThatThrownBy(() -> net.faults().freeze("h2")).hasMessageContaining("crashed already");

            net.faults().restart("h2");

            assertThat(h2.condition()).isEqualTo(HostCondition.UP);
            awaitPing(h1, h2ip);
            assertThat(apps.deploy("again", h2, List.of("sleep", "600")).isRunning()).isTrue();
            assertThat(apps.get("sleeper").state()).isEqualTo(AppState.CRASHED);
            assertThatThrownBy(() -> net.faults().restart("h2")).hasMessageContaining("has not crashed");
        }
    }

    @ParameterizedTest
    @EnumSource(FreezeMethod.class)
    void a_frozen_host_stops_counting_and_thawing_resumes_it(FreezeMethod method) throws Exception {
        assumeTrue(method != FreezeMethod.CGROUP_FREEZER || FreezerCgroup.available(),
                "no v1 freezer hierarchy at " + FreezerCgroup.HIERARCHY);
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2"));
                AppManager apps = new AppManager(net)) {
            net.faults().useFreezeMethod(method);
            String service = net.host("h2").ip() + ":8888";
            App counter = apps.deployJava("counter", net.host("h2"), CounterService.class, List.of("--listen", service));
            App client = apps.deployJava("client", net.host("h1"), CounterClient.class,
                    List.of("--server", service, "--interval", "10ms", "--timeout", "20ms"));
            awaitCounter(client, 5);

            HostFault fault = net.faults().freeze("h2");

            assertThat(fault.method()).isEqualTo(method.description());
            assertThat(fault.pids()).contains(counter.pid());
            assertThat(counter.state()).isEqualTo(AppState.FROZEN);
            assertThat(processState(counter.pid())).isIn(method == FreezeMethod.SIGSTOP ? List.of('T')
                    : List.of('D', 'S'));
            if (method == FreezeMethod.CGROUP_FREEZER) {
                assertThat(Files.readString(Path.of("/proc", Long.toString(counter.pid()), "cgroup")))
                        .contains(":freezer:/mignet/" + net.host("h2").namespace());
            }
            long frozenAt = lastCounter(client);
            // The host's kernel still answers while its processes are stopped; the pings take a second, in which
            // the unfrozen client keeps asking every 20 ms.
            assertThat(net.host("h1").ping(net.host("h2").ip().toString(), 5).allReceived()).isTrue();
            assertThat(lastCounter(client)).as("no reply while frozen").isLessThanOrEqualTo(frozenAt + 1);
            assertThatThrownBy(() -> apps.deploy("other", net.host("h2"), List.of("sleep", "1")))
                    .hasMessageContaining("it is frozen (thaw h2 first)");

            net.faults().thaw("h2");

            assertThat(counter.state()).isEqualTo(AppState.RUNNING);
            awaitCounter(client, lastCounter(client) + 20);
            client.stop(Duration.ofSeconds(2));
            List<Long> values = counters(client);
            for (int i = 0; i < values.size(); i++) {
                assertThat(values.get(i)).as("counter #%d", i + 1).isEqualTo(i + 1L);
            }
            if (method == FreezeMethod.CGROUP_FREEZER) {
                assertThat(Path.of("/sys/fs/cgroup/freezer/mignet", net.host("h2").namespace())).doesNotExist();
            }
        }
    }

    @Test
    void an_app_on_a_frozen_host_can_still_be_stopped_and_teardown_never_hangs() throws Exception {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2"));
                AppManager apps = new AppManager(net)) {
            App one = apps.deploy("one", net.host("h2"), List.of("sleep", "600"));
            apps.deploy("two", net.host("h2"), List.of("sleep", "600"));
            net.faults().freeze("h2");
            long t0 = System.nanoTime();
            assertThat(one.stop(Duration.ofSeconds(5))).isEqualTo(128 + 9);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
            // "two" stays frozen: closing the apps and the emulation must still end it.
        }
    }

    @Test
    void a_flap_cuts_and_restores_the_link_as_the_client_sees_it() throws Exception {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2"));
                AppManager apps = new AppManager(net)) {
            String service = net.host("h2").ip() + ":8888";
            apps.deployJava("counter", net.host("h2"), CounterService.class, List.of("--listen", service));
            App client = apps.deployJava("client", net.host("h1"), CounterClient.class,
                    List.of("--server", service, "--interval", "10ms", "--timeout", "20ms"));
            awaitCounter(client, 5);

            LinkFlap flap = net.faults().flap("h1", "s1", Duration.ofMillis(1600), 3, r -> { });
            assertThatThrownBy(() -> net.faults().flap("s1", "h1", Duration.ofMillis(100), 1, r -> { }))
                    .hasMessageContaining("flapping already");
            LinkFlap.Report report = flap.await(Duration.ofSeconds(20));

            assertThat(report.cycles()).isEqualTo(3);
            assertThat(report.cancelled()).isFalse();
            List<LinkFlap.Transition> t = report.transitions();
            assertThat(t).extracting(LinkFlap.Transition::up).containsExactly(false, true, false, true, false, true);
            assertThat(net.linksBetween("h1", "s1")).allMatch(Link::isUp);
            awaitCounter(client, lastCounter(client) + 10);
            client.stop(Duration.ofSeconds(2));
            // The client hears nothing from each cut until its restoration, and hears replies again in between.
            List<Long> replied = replyTimes(client);
            List<long[]> silences = new ArrayList<>();
            for (int i = 1; i < replied.size(); i++) {
                if (replied.get(i) - replied.get(i - 1) > 300_000_000L) {
                    silences.add(new long[] {replied.get(i - 1), replied.get(i)});
                }
            }
            assertThat(silences).as("silences of the client").hasSize(3);
            for (int i = 0; i < 3; i++) {
                long down = AppEvents.epochNanos(t.get(2 * i).done());
                long up = AppEvents.epochNanos(t.get(2 * i + 1).at());
                assertThat(silences.get(i)[0]).as("last reply before cut %d", i + 1).isLessThanOrEqualTo(down);
                assertThat(silences.get(i)[1]).as("first reply after cut %d", i + 1).isGreaterThanOrEqualTo(up);
            }
            List<Long> values = counters(client);
            for (int i = 0; i < values.size(); i++) {
                assertThat(values.get(i)).as("counter #%d", i + 1).isEqualTo(i + 1L);
            }
        }
    }

    @Test
    void a_cancelled_flap_ends_early_with_its_links_up() throws Exception {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2"))) {
            List<LinkFlap.Report> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
            LinkFlap flap = net.faults().flap("h1", "s1", Duration.ofSeconds(2), 1000, heard::add);
            awaitTransitions(flap, 1);
            assertThat(net.faults().cancelFlaps("h1", "s1")).containsExactly(flap);
            LinkFlap.Report r = flap.await(Duration.ofSeconds(10));
            assertThat(r.cancelled()).isTrue();
            assertThat(r.cycles()).isLessThan(1000);
            assertThat(r.transitions().getLast().up()).isTrue();
            assertThat(net.linksBetween("h1", "s1")).allMatch(Link::isUp);
            assertThat(net.host("h1").ping(net.host("h2").ip().toString(), 1).allReceived()).isTrue();
            assertThat(heard).containsExactly(r);
            assertThat(net.faults().flaps()).isEmpty();
        }
    }

    @Test
    void fault_words_parse_into_values_and_bad_ones_say_the_usage() {
        assertThat(Fault.parse(List.of("crash", "h2"))).isEqualTo(new Fault.Crash("h2"));
        assertThat(Fault.parse(List.of("flap", "h1", "s1", "2s", "5")))
                .isEqualTo(new Fault.Flap("h1", "s1", Duration.ofSeconds(2), 5));
        assertThat(Fault.parse(List.of("link", "h1", "s1", "down"))).isEqualTo(new Fault.LinkState("h1", "s1", false));
        assertThat(Fault.parse(List.of("flap", "h1", "s1", "cancel"))).isEqualTo(new Fault.CancelFlap("h1", "s1"));
        assertThatThrownBy(() -> Fault.parse(List.of("crash"))).hasMessage("usage: crash <host>");
        assertThatThrownBy(() -> Fault.parse(List.of("crash", "h1", "h2"))).hasMessage("usage: crash <host>");
        assertThatThrownBy(() -> Fault.parse(List.of("flap", "h1", "s1", "2", "5"))).hasMessageContaining("no unit");
        assertThatThrownBy(() -> Fault.parse(List.of("flap", "h1", "s1", "1ms", "5")))
                .hasMessageContaining("2ms to 1 day");
        assertThatThrownBy(() -> Fault.parse(List.of("flap", "h1", "s1", "1s", "x"))).hasMessageContaining("whole");
        assertThatThrownBy(() -> Fault.parse(List.of("flap", "h1", "s1", "1s", "0"))).hasMessageContaining("1 to");
        assertThatThrownBy(() -> Fault.parse(List.of("link", "h1", "s1", "sideways"))).hasMessageContaining("up or down");
        assertThatThrownBy(() -> Fault.parse(List.of("explode", "h1"))).hasMessageContaining("unknown fault");
    }

    static void awaitProcesses(Host host, int atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (NamespaceProcesses.in(List.of(host.namespace())).size() < atLeast) {
            assertThat(System.nanoTime()).as("%d processes on %s", atLeast, host).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    static void awaitPing(Host from, String to) {
        for (int i = 0; i < 20; i++) {
            if (from.ping(to, 1).allReceived()) {
                return;
            }
        }
        throw new AssertionError(from + " cannot reach " + to + " after 20 pings");
    }

    static void awaitTransitions(LinkFlap flap, int atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (flap.transitions().size() < atLeast) {
            assertThat(System.nanoTime()).as("%d transitions", atLeast).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    static char processState(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return stat.charAt(stat.lastIndexOf(')') + 2);
    }

    static List<Long> counters(App client) {
        return client.log().lines(LogLine.Stream.STDOUT).stream().map(LogLine::text)
                .filter(t -> t.startsWith("Current counter: ")).map(t -> Long.parseLong(t.substring(17))).toList();
    }

    static long lastCounter(App client) {
        List<Long> c = counters(client);
        return c.isEmpty() ? 0 : c.getLast();
    }

    static List<Long> replyTimes(App client) {
        return client.log().lines(LogLine.Stream.STDERR).stream().map(l -> AppEvents.parse(l.text()))
                .filter(e -> e != null && e.name().equals("reply")).map(e -> e.longField("replied")).toList();
    }

    static void awaitCounter(App client, long value) throws InterruptedException {
        assertThat(client.log().await(l -> l.text().startsWith("Current counter: ")
                && Long.parseLong(l.text().substring(17)) >= value, Duration.ofSeconds(20)))
                .as("client reached %d: %s", value, client.log().lines()).isPresent();
    }
}
