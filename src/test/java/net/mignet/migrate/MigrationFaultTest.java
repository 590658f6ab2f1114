package net.mignet.migrate;

import static net.mignet.migrate.MigrationTest.assertStrictlyCounting;
import static net.mignet.migrate.MigrationTest.awaitReplies;
import static net.mignet.migrate.MigrationTest.counters;
import static net.mignet.migrate.MigrationTest.scenario;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.List;
import net.mignet.app.App;
import net.mignet.app.AppManager;
import net.mignet.apps.CounterClient;
import net.mignet.apps.CounterService;
import net.mignet.experiment.MigrationRequest;
import net.mignet.kernel.NamespaceProcesses;
import net.mignet.net.Emulation;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.TopologyGenerators;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A migration whose target host crashes or freezes halfway rolls back with the reason, quickly, and never hangs. */
class MigrationFaultTest {
    /** Far below the migration's own timeouts (30 s to get ready, 15 s to hand over): the fault ended it. */
    private static final Duration BOUND = Duration.ofSeconds(8);

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
    }

    /** The handover strategy, with a fault striking the target from another thread once the successor is up. */
    private static MigrationStrategy handoverWithFault(Runnable fault) {
        HandoverStrategy inner = new HandoverStrategy(9999);
        return new MigrationStrategy() {
            @Override
            public String name() {
                return "handover";
            }

            @Override
            public App migrate(MigrationContext ctx) throws Exception {
                App successor = inner.start(ctx);
                Thread.ofVirtual().start(fault).join();
                return inner.handOver(ctx, successor);
            }
        };
    }

    @Test
    void a_successor_that_dies_at_once_fails_the_migration_at_once() throws Exception {
        try (Emulation net = Emulation.start(scenario()); AppManager apps = new AppManager(net)) {
            App service = apps.deployJava("counter", net.host("h2"), CounterService.class,
                    List.of("--listen", "10.0.0.12:8888"));
            App client = apps.deployJava("client", net.host("h1"), CounterClient.class,
                    List.of("--server", "10.0.0.12:8888", "--interval", "10ms"));
            awaitReplies(client, 10);
            long t0 = System.nanoTime();
            // h1 lacks the service's address: the successor cannot bind it and exits with status 1.
            Throwable failure = catchThrowable(() -> Migration.of(apps, "counter").strategy("handover")
                    .to(net.host("h1")).observedBy(client).run());
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(failure).isInstanceOf(MigrationFailedException.class).hasMessageContaining("exited (status 1)");
            assertThat(took).as("failed after %s: %s", took, failure.getMessage()).isLessThan(BOUND);
            assertThat(apps.get("counter")).isSameAs(service);
            assertThat(service.isRunning()).isTrue();
        }
    }

    /**
     * A user's own client, printing the documented reply events on its standard output (not mignet's counter
     * client), is what observes a migration when it is the only one.
     */
    @Test
    void a_users_client_printing_reply_events_observes_the_migration() throws Exception {
        try (Emulation net = Emulation.start(scenario()); AppManager apps = new AppManager(net)) {
            apps.deployJava("counter", net.host("h2"), CounterService.class, List.of("--listen", "10.0.0.12:8888"));
            App client = apps.deploy("client", net.host("h1"), List.of("python3", "-c", """
                    import socket, time
                    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    s.settimeout(0.5)
                    seq = 0
                    while True:
                        seq += 1
                        sent = time.time_ns()
                        s.sendto(b"Show me the counter, please!", ("10.0.0.12", 8888))
                        try:
                            s.recvfrom(1024)
                        except socket.timeout:
                            continue
                        print(f"@mignet event=reply seq={seq} sent={sent} replied={time.time_ns()} retries=0",
                              flush=True)
                        time.sleep(0.01)
                    """));
            assertThat(client.log().await(l -> l.text().startsWith("@mignet event=reply seq=10 "),
                    Duration.ofSeconds(10))).as("%s", client.log().lines()).isPresent();
            MigrationReport r = Migration.of(apps, "counter").strategy("handover").to(net.host("h3"))
                    .observedBy(MigrationRequest.observer(apps).orElseThrow()).run();
            assertThat(r.client()).as(r.summary()).isNotNull();
            assertThat(r.summary()).contains("client downtime");
        }
    }

    /**
     * Nothing steers the client's traffic to the new host (no flow rules, an address of the old host's own): the
     * client is cut off, and the report must say so, not "no client request fell into the migration".
     */
    @Test
    void a_client_left_without_replies_after_the_move_is_reported_cut_off() throws Exception {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,3"));
                AppManager apps = new AppManager(net)) {
            apps.deployJava("counter", net.host("h2"), CounterService.class, List.of("--listen", "0.0.0.0:8888"));
            App client = apps.deployJava("client", net.host("h1"), CounterClient.class,
                    List.of("--server", "10.0.0.2:8888", "--interval", "100ms", "--timeout", "1s"));
            awaitReplies(client, 5);

            MigrationReport r = Migration.of(apps, "counter").strategy("handover").to(net.host("h3"))
                    .observedBy(client).run();

            assertThat(r.client()).as(r.summary()).isNotNull();
            assertThat(r.client().cutOff()).as(r.summary()).isTrue();
            assertThat(r.client().downtime()).as(r.summary()).isGreaterThanOrEqualTo(Duration.ofSeconds(10));
            assertThat(r.summary()).contains("the client got no reply to what it sent after the move");
        }
    }

    @Test
    void a_target_crashing_mid_migration_rolls_it_back_with_the_reason() throws Exception {
        try (Emulation net = Emulation.start(scenario()); AppManager apps = new AppManager(net)) {
            apps.deployJava("counter", net.host("h2"), CounterService.class, List.of("--listen", "10.0.0.12:8888"));
            App client = apps.deployJava("client", net.host("h1"), CounterClient.class,
                    List.of("--server", "10.0.0.12:8888", "--interval", "10ms"));
            awaitReplies(client, 10);

            long t0 = System.nanoTime();
            Throwable failure = catchThrowable(() -> Migration.of(apps, "counter").to(net.host("h3"))
                    .using(handoverWithFault(() -> net.faults().crash("h3"))).run());
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            System.out.println("rolled back in " + took.toMillis() + " ms: " + failure.getMessage());
            assertThat(failure).isInstanceOf(MigrationFailedException.class)
                    .hasMessageContaining("failed and was rolled back: target h3 crashed during the migration");
            assertThat(took).isLessThan(BOUND);
            assertThat(Thread.currentThread().isInterrupted()).isFalse();

            App counter = apps.get("counter");
            assertThat(counter.host().name()).isEqualTo("h2");
            assertThat(counter.isRunning()).isTrue();
            assertThat(apps.find("counter.next")).isEmpty();
            awaitReplies(client, counters(client).size() + 20);

            assertThatThrownBy(() -> Migration.of(apps, "counter").to(net.host("h3")).run())
                    .hasMessage("the target host h3 is crashed; restart h3 first");
            net.faults().restart("h3");
            Migration.of(apps, "counter").to(net.host("h3")).observedBy(client).run();
            assertThat(apps.get("counter").host().name()).isEqualTo("h3");
            awaitReplies(client, counters(client).size() + 20);
            client.stop(Duration.ofSeconds(2));
            assertStrictlyCounting(counters(client));
        }
    }

    @Test
    void a_target_frozen_mid_migration_ends_it_at_once_instead_of_at_its_timeouts() throws Exception {
        try (Emulation net = Emulation.start(scenario()); AppManager apps = new AppManager(net)) {
            apps.deployJava("counter", net.host("h2"), CounterService.class, List.of("--listen", "10.0.0.12:8888"));
            App client = apps.deployJava("client", net.host("h1"), CounterClient.class,
                    List.of("--server", "10.0.0.12:8888", "--interval", "10ms"));
            awaitReplies(client, 10);

            long t0 = System.nanoTime();
            Throwable failure = catchThrowable(() -> Migration.of(apps, "counter").to(net.host("h3"))
                    .using(handoverWithFault(() -> net.faults().freeze("h3"))).run());
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            System.out.println("rolled back in " + took.toMillis() + " ms: " + failure.getMessage());
            assertThat(failure).isInstanceOf(MigrationFailedException.class)
                    .hasMessageContaining("failed and was rolled back: target h3 frozen during the migration");
            assertThat(took).isLessThan(BOUND);
            assertThat(Thread.currentThread().isInterrupted()).isFalse();

            assertThat(apps.get("counter").host().name()).isEqualTo("h2");
            assertThat(apps.find("counter.next")).isEmpty();
            // The frozen successor was killed and let out of the freezer to die: nothing is left on h3.
            assertThat(NamespaceProcesses.in(List.of(net.host("h3").namespace()))).isEmpty();
            awaitReplies(client, counters(client).size() + 20);

            net.faults().thaw("h3");
            Migration.of(apps, "counter").to(net.host("h3")).observedBy(client).run();
            awaitReplies(client, counters(client).size() + 20);
            client.stop(Duration.ofSeconds(2));
            assertStrictlyCounting(counters(client));
        }
    }

    @Test
    void a_fault_nothing_waited_for_still_fails_the_migration_at_its_point_of_no_return() throws Exception {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,3"));
                AppManager apps = new AppManager(net)) {
            apps.deploy("sleeper", net.host("h2"), List.of("sleep", "600"));
            MigrationStrategy blind = new MigrationStrategy() {
                @Override
                public String name() {
                    return "blind";
                }

                @Override
                public App migrate(MigrationContext ctx) {
                    App successor = ctx.deploySuccessor(List.of("sleep", "600"));
                    net.faults().crash("h3");
                    ctx.commit(); // a strategy that never waited on h3 would hand over to a dead host here
                    return successor;
                }
            };
            Throwable failure = catchThrowable(() -> Migration.of(apps, "sleeper").to(net.host("h3")).using(blind)
                    .run());
            assertThat(failure).isInstanceOf(MigrationFailedException.class).hasMessage("migration of sleeper h2 -> h3"
                    + " (blind) failed and was rolled back: target h3 crashed during the migration (h3 crashed: 1"
                    + " process killed (SIGKILL), interfaces down)");
            assertThat(apps.get("sleeper").host().name()).isEqualTo("h2");
            assertThat(apps.get("sleeper").isRunning()).isTrue();
            assertThat(apps.find("sleeper.next")).isEmpty();
        }
    }
}
