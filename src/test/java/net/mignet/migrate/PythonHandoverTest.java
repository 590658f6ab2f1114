package net.mignet.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import net.mignet.app.App;
import net.mignet.app.AppConditions;
import net.mignet.app.AppManager;
import net.mignet.app.LogLine;
import net.mignet.apps.CounterClient;
import net.mignet.flow.FlowRuleFormatter;
import net.mignet.net.Emulation;
import net.mignet.testing.KernelAssumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Python example service (examples/python/counter_service.py on python/mignet_handover.py) migrates by the
 * documented handover protocol, driven by mignet exactly like the built-in counter service.
 */
class PythonHandoverTest {
    static final Path SERVICE = Path.of("examples/python/counter_service.py").toAbsolutePath();

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("python3");
    }

    /** No {@code -u}: the module must flush each event line itself, or mignet would wait for a full buffer. */
    static App deployService(AppManager apps, Emulation net) {
        return apps.deploy("counter", net.host("h2"), List.of("python3", SERVICE.toString(), "--listen",
                "10.0.0.12:8888"));
    }

    static App deployClient(AppManager apps, Emulation net) {
        return apps.deployJava("client", net.host("h1"), CounterClient.class,
                List.of("--server", "10.0.0.12:8888", "--interval", "10ms"));
    }

    @Test
    void ten_migrations_back_and_forth_count_strictly() throws Exception {
        try (Emulation net = Emulation.start(MigrationTest.scenario()); AppManager apps = new AppManager(net)) {
            deployService(apps, net);
            App client = deployClient(apps, net);
            MigrationTest.awaitReplies(client, 10);
            for (int i = 0; i < 10; i++) {
                String target = i % 2 == 0 ? "h3" : "h2";
                App old = apps.get("counter");
                MigrationReport r = Migration.of(apps, "counter").strategy("handover")
                        .to(net.host(target)).observedBy(client).run();
                System.out.println((i + 1) + ": " + r.summary());
                assertThat(apps.get("counter").host().name()).isEqualTo(target);
                assertThat(apps.get("counter").isRunning()).isTrue();
                assertThat(old.isRunning()).as("the old instance exited").isFalse();
                assertThat(old.exitStatus()).as("the old instance's exit: %s", AppConditions.lastWords(old))
                        .hasValue(0);
                assertThat(r.stateBytes()).isPositive();
                assertThat(r.serviceGap()).isNotNull();
                assertThat(r.client()).isNotNull();
                assertThat(r.flowChanges()).containsExactly("s1: in_port=s1-h1 actions=output:s1-" + target);
                MigrationTest.awaitReplies(client, MigrationTest.counters(client).size() + 5);
            }
            client.stop(Duration.ofSeconds(2));
            List<Long> values = MigrationTest.counters(client);
            assertThat(values.size()).isGreaterThan(60);
            MigrationTest.assertStrictlyCounting(values);
            assertThat(apps.get("counter").log().lines(LogLine.Stream.STDOUT)).extracting(LogLine::text)
                    .anyMatch(t -> t.startsWith("Got the state from 192.168.0.13:9999"));
        }
    }

    @Test
    void a_migration_whose_successor_dies_rolls_back_and_the_counter_goes_on() throws Exception {
        try (Emulation net = Emulation.start(MigrationTest.scenario()); AppManager apps = new AppManager(net)) {
            App service = deployService(apps, net);
            App client = deployClient(apps, net);
            MigrationTest.awaitReplies(client, 10);
            Instant before = Instant.now();

            assertThatThrownBy(() -> Migration.of(apps, "counter").using(new SuccessorKilledWhenReady())
                    .to(net.host("h3")).observedBy(client).run())
                    .isInstanceOf(MigrationFailedException.class);

            assertThat(apps.get("counter")).isSameAs(service);
            assertThat(service.isRunning()).isTrue();
            assertThat(apps.find("counter.next")).isEmpty();
            assertThat(service.log().await(l -> l.text().startsWith("@mignet event=handover-failed")
                    || l.text().startsWith("@mignet event=successor-lost"), Duration.ofSeconds(10)))
                    .as("the old instance noticed: %s", service.log().lines()).isPresent();
            assertThat(net.switchNamed("s1").flowTable().entries())
                    .extracting(e -> FlowRuleFormatter.format(e.rule()))
                    .contains("in_port=s1-h1 actions=output:s1-h2");
            int seen = MigrationTest.counters(client).size();
            MigrationTest.awaitReplies(client, seen + 20);
            assertThat(AppEventWait.find(service, "serving", before)).isEmpty(); // never restarted

            // The old instance can still hand over afterwards.
            MigrationReport r = Migration.of(apps, "counter").strategy("handover").to(net.host("h3"))
                    .observedBy(client).run();
            System.out.println("after the rollback: " + r.summary());
            assertThat(apps.get("counter").host().name()).isEqualTo("h3");
            MigrationTest.awaitReplies(client, MigrationTest.counters(client).size() + 5);
            client.stop(Duration.ofSeconds(2));
            MigrationTest.assertStrictlyCounting(MigrationTest.counters(client));
        }
    }

    /** The documented protocol, except that the successor is killed (SIGKILL) once it is ready. */
    static final class SuccessorKilledWhenReady implements MigrationStrategy {
        private final HandoverStrategy protocol = new HandoverStrategy(9999);

        @Override
        public String name() {
            return "handover with a dying successor";
        }

        @Override
        public App migrate(MigrationContext ctx) throws Exception {
            App successor = protocol.start(ctx);
            ProcessHandle.of(successor.pid()).ifPresent(ProcessHandle::destroyForcibly);
            assertThat(successor.awaitExit(Duration.ofSeconds(5))).as("the successor died").isTrue();
            return protocol.handOver(ctx, successor);
        }
    }
}
