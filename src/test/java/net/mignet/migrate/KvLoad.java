package net.mignet.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.mignet.app.App;
import net.mignet.app.AppEvents;
import net.mignet.app.AppManager;
import net.mignet.app.LogLine;
import net.mignet.apps.KvClient;
import net.mignet.apps.KvDigest;
import net.mignet.apps.KvProtocol;
import net.mignet.apps.KvRequestRecord;
import net.mignet.apps.KvService;
import net.mignet.apps.KvStore;
import net.mignet.net.Emulation;

/**
 * A key-value service on h2 and a client on h1 writing to it, and what the service's content must be: the
 * initial content plus every write the client saw acknowledged, applied in version order.
 */
final class KvLoad {
    static final String CLIENT_ID = "c1";
    static final int VALUE_SIZE = 64;

    final App service;
    final App client;
    private final long size;
    private final int keys;

    private KvLoad(App service, App client, long size, int keys) {
        this.service = service;
        this.client = client;
        this.size = size;
        this.keys = keys;
    }

    /**
     * The service with {@code size} bytes over {@code keys} keys, and a client sending 250 requests/s (200 writes)
     * until {@link #stop}.
     */
    static KvLoad start(Emulation net, AppManager apps, String host, long size, int keys)
            throws InterruptedException {
        return start(net, apps, host, size, keys, "udp");
    }

    /** The same, the client's requests over {@code transport} (udp or tcp). */
    static KvLoad start(Emulation net, AppManager apps, String host, long size, int keys, String transport)
            throws InterruptedException {
        App service = apps.deployJava("kv", net.host(host), KvService.class, List.of("--listen", "10.0.0.12:8888",
                "--size", Long.toString(size), "--keys", Integer.toString(keys)));
        assertThat(service.log().await(l -> l.text().contains("event=serving"), Duration.ofSeconds(30)))
                .as("kv-service started: %s", service.log().lines()).isPresent();
        App client = apps.deployJava("kv-client", net.host("h1"), KvClient.class, List.of("--server",
                "10.0.0.12:8888", "--transport", transport, "--rate", "250", "--mix", "get=20,put=70,delete=10",
                "--keys", Integer.toString(keys), "--value-size", Integer.toString(VALUE_SIZE), "--id", CLIENT_ID,
                "--seed", "7"));
        return new KvLoad(service, client, size, keys);
    }

    static int replies(App client) {
        return (int) client.log().lines().stream().filter(l -> l.text().contains("event=reply ")).count();
    }

    /** Waits until the client has had {@code n} replies in all. */
    void awaitReplyCount(int n) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (replies(client) < n) {
            assertThat(System.nanoTime()).as("client reached %d replies, has %d", n, replies(client))
                    .isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    void awaitReplies(int n) throws InterruptedException {
        assertThat(client.log().await(l -> l.text().contains("event=reply seq=" + n + " "), Duration.ofSeconds(30)))
                .as("client got %d replies: %s", n, client.log().lines().reversed().stream().limit(5).toList())
                .isPresent();
    }

    /** Stops the client (what is in flight is finished) and returns its records. */
    List<KvRequestRecord> stop() throws InterruptedException {
        client.sendLine("stop");
        assertThat(client.awaitExit(Duration.ofSeconds(60))).as("client finished").isTrue();
        List<KvRequestRecord> records = new ArrayList<>();
        for (LogLine l : client.log().lines(LogLine.Stream.STDOUT)) {
            KvRequestRecord r = KvRequestRecord.parse(l.text());
            if (r != null) {
                records.add(r);
            }
        }
        return records;
    }

    /** Nothing lost, nothing applied twice: the acknowledged writes carry the versions 1, 2, 3, ... exactly. */
    static void assertEveryWriteOnce(List<KvRequestRecord> records) {
        assertThat(records).allSatisfy(r -> assertThat(r.result()).isIn("ok", "missing"));
        List<Long> versions = records.stream().filter(r -> r.op().writes() && r.result().equals("ok"))
                .map(KvRequestRecord::version).sorted().toList();
        for (int i = 0; i < versions.size(); i++) {
            assertThat(versions.get(i)).as("version of acknowledged write #%d", i + 1).isEqualTo(i + 1L);
        }
    }

    /** The digest the content must have: the initial content plus the acknowledged writes. */
    long expectedDigest(List<KvRequestRecord> records) {
        record Value(long version, byte[] bytes) {
        }
        Map<String, Value> content = new HashMap<>();
        int length = (int) Math.max(1, size / keys);
        for (int i = 0; i < keys; i++) {
            content.put(KvStore.key(i), new Value(0, KvStore.initialValue(i, length)));
        }
        records.stream().filter(r -> r.op().writes() && r.result().equals("ok"))
                .sorted(Comparator.comparingLong(KvRequestRecord::version)).forEach(r -> {
                    if (r.op() == KvProtocol.Op.PUT) {
                        content.put(r.key(), new Value(r.version(), KvClient.valueFor(CLIENT_ID, r.seq(),
                                VALUE_SIZE).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
                    } else {
                        content.remove(r.key());
                    }
                });
        long digest = 0;
        for (Map.Entry<String, Value> e : content.entrySet()) {
            digest += KvDigest.of(e.getKey(), e.getValue().version(), e.getValue().bytes());
        }
        return digest;
    }

    /** The digest the instance serving now reports. */
    static long digestOf(App service) throws InterruptedException {
        java.time.Instant asked = java.time.Instant.now();
        service.sendLine("digest");
        LogLine line = service.log().await(l -> !l.time().isBefore(asked) && l.text().contains("event=digest "),
                Duration.ofSeconds(10)).orElseThrow(() -> new AssertionError("no digest from " + service.name()
                + ": " + service.log().lines()));
        return AppEvents.parse(line.text()).longField("digest");
    }
}
