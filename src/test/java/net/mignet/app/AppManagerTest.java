package net.mignet.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import net.mignet.net.Emulation;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.TopologyGenerators;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AppManagerTest {
    private static Emulation net;

    @BeforeAll
    static void network() {
        KernelAssumptions.assumeRoot();
        net = Emulation.start(TopologyGenerators.fromSpec("single,2"));
    }

    @AfterAll
    static void teardown() {
        if (net != null) {
            net.close();
        }
    }

    @Test
    void log_lines_carry_timestamps_and_arrive_while_the_app_runs() throws Exception {
        try (AppManager apps = new AppManager(net)) {
            Instant before = Instant.now();
            App app = apps.deploy("ticker", net.host("h1"), List.of("bash", "-c",
                    "for i in 1 2 3; do echo tick $i; sleep 0.2; done; echo oops >&2; sleep 30"));
            Optional<LogLine> third = app.log().await(l -> l.text().equals("tick 3"), Duration.ofSeconds(10));
            assertThat(third).isPresent();
            assertThat(app.isRunning()).as("lines arrive while the app still runs").isTrue();
            assertThat(app.log().await(l -> l.stream() == LogLine.Stream.STDERR, Duration.ofSeconds(5))).isPresent();
            List<LogLine> lines = app.log().lines(LogLine.Stream.STDOUT);
            assertThat(lines).extracting(LogLine::text).containsExactly("tick 1", "tick 2", "tick 3");
            assertThat(lines.get(0).time()).isAfterOrEqualTo(before);
            // Printed 0.2 s apart, stamped when read: the stamps must show that spacing, not one burst.
            assertThat(Duration.between(lines.get(0).time(), lines.get(2).time())).isGreaterThan(Duration.ofMillis(300));
            assertThat(lines.get(0).format()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z tick 1");
            app.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void an_app_named_like_a_node_is_refused_before_it_starts() {
        try (AppManager apps = new AppManager(net)) {
            assertThatThrownBy(() -> apps.deploy("h2", net.host("h1"), List.of("sleep", "100")))
                    .hasMessageContaining("app name 'h2' is the name of host h2");
            assertThatThrownBy(() -> apps.deploy("s1", net.host("h1"), List.of("sleep", "100")))
                    .hasMessageContaining("is the name of switch s1");
            assertThat(apps.apps()).isEmpty();
        }
    }

    @Test
    void stop_sends_sigterm_first_and_reports_the_exit_status() throws Exception {
        try (AppManager apps = new AppManager(net)) {
            App app = apps.deploy("polite", net.host("h2"), List.of("bash", "-c",
                    "trap 'echo got TERM; exit 3' TERM; echo ready; while true; do sleep 0.05; done"));
            assertThat(app.log().await(l -> l.text().equals("ready"), Duration.ofSeconds(10))).isPresent();
            assertThat(app.stop(Duration.ofSeconds(5))).isEqualTo(3);
            assertThat(app.log().lines()).extracting(LogLine::text).contains("got TERM");
            assertThat(app.exitStatus()).hasValue(3);
        }
    }

    @Test
    void stop_kills_an_app_that_ignores_sigterm() throws Exception {
        try (AppManager apps = new AppManager(net)) {
            App app = apps.deploy("stubborn", net.host("h2"), List.of("bash", "-c",
                    "trap '' TERM; echo ready; while true; do sleep 0.05; done"));
            assertThat(app.log().await(l -> l.text().equals("ready"), Duration.ofSeconds(10))).isPresent();
            assertThat(app.stop(Duration.ofMillis(300))).isEqualTo(128 + 9);
        }
    }

    @Test
    void apps_run_inside_their_host_and_the_pid_is_the_program() throws Exception {
        try (AppManager apps = new AppManager(net)) {
            App app = apps.deploy("addr", net.host("h1"), List.of("ip", "-4", "-o", "addr", "show"));
            assertThat(app.awaitExit()).isZero();
            assertThat(String.join("\n", app.log().lines().stream().map(LogLine::text).toList()))
                    .contains(net.host("h1").ip().toString()).doesNotContain(net.host("h2").ip().toString());
            App sleeper = apps.deploy("sleeper", net.host("h1"), List.of("sleep", "30"));
            // ip netns exec enters the namespace, then replaces itself with the program: same pid, new image.
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            String command = "";
            while (System.nanoTime() < deadline && !command.endsWith("sleep")) {
                command = ProcessHandle.of(sleeper.pid()).flatMap(h -> h.info().command()).orElse("");
                Thread.sleep(5);
            }
            assertThat(command).endsWith("sleep");
            assertThat(apps.remove("sleeper")).isEqualTo(128 + 15);
            assertThat(apps.find("sleeper")).isEmpty();
        }
    }
}
