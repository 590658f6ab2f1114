package net.mignet.report;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.mignet.app.AppEvents;
import net.mignet.app.LogLine;

/**
 * One request a client made, as it reported it in a {@code @mignet event=reply} line (the counter client; the
 * key-value client the same way, with {@code op}, {@code key}, {@code version} and {@code result}).
 *
 * @param client  the client app's name
 * @param run     the number of the experiment's run it belongs to, or empty outside an experiment
 * @param seq     the request's number at that client
 * @param op      what it asked (empty for the counter client, which only counts)
 * @param key     the key it concerned, or empty
 * @param sent    when it was first sent
 * @param replied when the reply came, or null when none came (the client gave up)
 * @param retries how often it was sent again
 * @param result  {@code ok}, or what went wrong as the client says it
 * @param value   the counter or the version the reply carried, or empty
 * @param sweep   the run's sweep values by column ({@code sweep_<key>}), in the sweep's order; empty outside one
 */
public record ClientRequest(String client, String run, long seq, String op, String key, Instant sent, Instant replied,
        int retries, String result, String value, Map<String, String> sweep) {
    /** The columns every requests file has; a sweep's {@code sweep_<key>} columns follow them. */
    public static final List<String> HEADER = List.of("client", "run", "seq", "op", "key", "sent", "replied",
            "latency_ms", "retries", "result", "value");
    static final List<String> EVENT_NAMES = List.of("reply", "request");
    private static final String SWEEP_PREFIX = "sweep_";

    public ClientRequest {
        sweep = Collections.unmodifiableMap(new LinkedHashMap<>(sweep));
    }

    /**
     * {@link #HEADER} then the sweep's columns, as {@code migrations.csv} names and orders them: at the end, so
     * that tools reading the older columns by position keep working.
     */
    public static List<String> header(List<String> sweepColumns) {
        List<String> header = new ArrayList<>(HEADER);
        header.addAll(sweepColumns);
        return header;
    }

    /** Reply time less first send time, or null when no reply came. */
    public Duration latency() {
        return replied == null ? null : Duration.between(sent, replied);
    }

    public boolean lost() {
        return !result.equals("ok");
    }

    /** The row under {@link #header(List)} with these sweep columns; one this request has no value for is empty. */
    public List<String> row(List<String> sweepColumns) {
        List<String> row = new ArrayList<>(List.of(client, run, Long.toString(seq), op, key, Times.instant(sent),
                Times.instant(replied), Times.ms(latency()), Integer.toString(retries), result, value));
        sweepColumns.forEach(c -> row.add(sweep.getOrDefault(c, "")));
        return row;
    }

    /** Every request in a client's output, in order; lines of other programs yield none. */
    public static List<ClientRequest> fromLog(String client, String run, Map<String, String> sweep,
            List<LogLine> lines) {
        List<ClientRequest> requests = new ArrayList<>();
        for (LogLine line : lines) {
            AppEvents.Event e = AppEvents.parse(line.text());
            if (e == null || !EVENT_NAMES.contains(e.name()) || !e.fields().containsKey("sent")) {
                continue;
            }
            Map<String, String> f = e.fields();
            String value = f.getOrDefault("counter", f.getOrDefault("version", ""));
            requests.add(new ClientRequest(client, run, e.longField("seq"), f.getOrDefault("op", ""),
                    f.getOrDefault("key", ""), AppEvents.instant(e.longField("sent")),
                    f.containsKey("replied") ? AppEvents.instant(e.longField("replied")) : null,
                    f.containsKey("retries") ? (int) e.longField("retries") : 0, f.getOrDefault("result", "ok"),
                    value, sweep));
        }
        return requests;
    }

    /** A row of {@code requests.csv} read back; files written before runs had sweep columns have none. */
    public static ClientRequest fromRow(Map<String, String> row) {
        return new ClientRequest(row.get("client"), row.getOrDefault("run", ""), Long.parseLong(row.get("seq")),
                row.get("op"), row.get("key"), Times.parseInstant(row.get("sent")),
                Times.parseInstant(row.get("replied")), Integer.parseInt(row.get("retries")), row.get("result"),
                row.get("value"), sweepOf(row));
    }

    /** The {@code sweep_<key>} columns among a run's values or a row's, in their order. */
    static Map<String, String> sweepOf(Map<String, String> runValues) {
        Map<String, String> sweep = new LinkedHashMap<>();
        runValues.forEach((column, v) -> {
            if (column.startsWith(SWEEP_PREFIX)) {
                sweep.put(column, v);
            }
        });
        return sweep;
    }
}
