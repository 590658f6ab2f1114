package net.mignet.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import net.mignet.app.App;
import net.mignet.app.AppManager;
import net.mignet.net.Emulation;
import net.mignet.testing.KernelAssumptions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A TCP service keeps its clients' open connections across checkpoint migrations. */
class CheckpointTcpTest {
    /** Counts lines on each connection of 10.0.0.12:7000 and answers each with the counter. */
    private static final String SERVER = """
            import socket, threading
            counter = 0
            lock = threading.Lock()
            def serve(conn):
                global counter
                f = conn.makefile("rwb")
                for line in f:
                    with lock:
                        counter += 1
                        n = counter
                    f.write(b"%d\\n" % n)
                    f.flush()
            s = socket.socket()
            s.bind(("10.0.0.12", 7000))
            s.listen()
            print("listening")
            while True:
                c, _ = s.accept()
                threading.Thread(target=serve, args=(c,), daemon=True).start()
            """;
    /** One connection for its whole life; any break ends it with an error. */
    private static final String CLIENT = """
            import socket, time
            s = socket.create_connection(("10.0.0.12", 7000))
            f = s.makefile("rwb")
            while True:
                f.write(b"next\\n")
                f.flush()
                line = f.readline()
                if not line:
                    raise SystemExit("connection closed by the service")
                print("Current counter:", int(line))
                time.sleep(0.02)
            """;

    @BeforeEach
    void needs() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("python3");
        KernelAssumptions.assumeCriu();
    }

    @Test
    void an_established_connection_survives_two_checkpoint_migrations() throws Exception {
        try (Emulation net = Emulation.start(MigrationTest.scenario()); AppManager apps = new AppManager(net)) {
            App server = apps.deploy("server", net.host("h2"), List.of("python3", "-c", SERVER));
            assertThat(server.log().await(l -> l.text().equals("listening"), Duration.ofSeconds(20))).isPresent();
            App client = apps.deploy("client", net.host("h1"), List.of("python3", "-c", CLIENT));
            MigrationTest.awaitReplies(client, 5);
            for (String target : List.of("h3", "h2")) {
                MigrationReport r = Migration.of(apps, "server").to(net.host(target)).strategy("checkpoint").run();
                System.out.println(r.summary());
                // criu's network lock stays in neither host, or the connection could not come back.
                assertThat(net.host("h2").exec("nft", "list", "tables").stdout()).doesNotContain("CRIU-");
                assertThat(net.host("h3").exec("nft", "list", "tables").stdout()).doesNotContain("CRIU-");
                assertThat(apps.get("server").host().name()).isEqualTo(target);
                MigrationTest.awaitReplies(client, MigrationTest.counters(client).size() + 10);
            }
            assertThat(client.isRunning()).as("client: %s", client.log().lines()).isTrue();
            MigrationTest.assertStrictlyCounting(MigrationTest.counters(client));
        }
    }
}
