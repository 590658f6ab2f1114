package net.mignet.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * What the report page plots, computed from {@code migrations.csv} and {@code requests.csv}: migrations with
 * their phases and requests per client, all times in seconds from the first thing that happened.
 */
final class ReportData {
    /** The migration columns the page's table shows, when the file has them. */
    static final List<String> TABLE_COLUMNS = List.of("migration", "app", "strategy", "from", "to", "outcome",
            "total_ms", "client_downtime_ms", "service_gap_ms", "client_requests", "requests_retried", "requests_lost",
            "state_bytes", "state_network_bytes", "held_frames", "held_dropped", "error");
    /** A sweep's configured size, when an experiment writes one; else the size the service reported. */
    static final List<String> SIZE_COLUMNS = List.of("state_size", "state_bytes");

    private ReportData() {
    }

    static Map<String, Object> of(String title, CsvTable migrations, List<ClientRequest> requests) {
        return of(title, "", migrations, requests, RunEvents.NONE);
    }

    /**
     * @param directory the results directory's name, shown small: the title names the emulation when it is known
     */
    static Map<String, Object> of(String title, String directory, CsvTable migrations, List<ClientRequest> requests,
            RunEvents events) {
        List<EventMark> marks = events.marks();
        // Without requests or migrations, time counts from when the network was up (a lab that only changed its
        // links); with them, from the first of them, as before.
        Instant origin = Stream.concat(migrations.rows().stream().map(r -> Times.parseInstant(r.get("started"))),
                requests.stream().map(ClientRequest::sent)).filter(Objects::nonNull).min(Instant::compareTo)
                .orElse(Stream.concat(Stream.ofNullable(events.identity().firstStart()),
                        marks.stream().map(EventMark::time)).min(Instant::compareTo).orElse(null));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("title", title);
        data.put("directory", directory);
        data.put("origin", origin == null ? null : Times.instant(origin));
        data.put("originIsNetworkUp", origin != null && origin.equals(events.identity().firstStart()));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map<String, String> row : migrations.rows()) {
            rows.add(migration(row, origin));
        }
        data.put("migrations", rows);
        data.put("clients", clients(requests, origin));
        data.put("marks", marks.stream().map(m -> Map.<String, Object>of("t", Times.secondsSince(origin, m.time()),
                "text", m.text())).toList());
        data.put("links", events.links().isEmpty() ? null : links(events.links(), origin));
        data.put("tableColumns", tableColumns(migrations));
        data.put("sweep", isSweep(rows));
        return data;
    }

    /** The links at the start and their changes, times on the plots' axis; {@code -} (no parameters) as null. */
    private static Map<String, Object> links(LinkHistory history, Instant origin) {
        List<Map<String, Object>> initial = new ArrayList<>();
        for (LinkHistory.StartingLink l : history.initial()) {
            Map<String, Object> link = new LinkedHashMap<>();
            link.put("network", l.network());
            link.put("a", l.a());
            link.put("b", l.b());
            link.put("a_to_b", noneAsNull(l.aToB()));
            link.put("b_to_a", noneAsNull(l.bToA()));
            initial.add(link);
        }
        List<Map<String, Object>> changes = new ArrayList<>();
        for (LinkHistory.LinkChange c : history.changes()) {
            Map<String, Object> change = new LinkedHashMap<>();
            change.put("t", Times.secondsSince(origin, c.time()));
            change.put("network", c.network());
            change.put("run", c.run());
            change.put("a", c.a());
            change.put("b", c.b());
            change.put("change", c.change());
            change.put("a_to_b", noneAsNull(c.aToB()));
            change.put("b_to_a", noneAsNull(c.bToA()));
            changes.add(change);
        }
        Map<String, Object> links = new LinkedHashMap<>();
        links.put("initial", initial);
        links.put("changes", changes);
        links.put("networks", history.initial().stream().mapToInt(LinkHistory.StartingLink::network).max()
                .orElse(0));
        return links;
    }

    private static String noneAsNull(String params) {
        return params == null || params.equals("-") || params.isEmpty() ? null : params;
    }

    private static Map<String, Object> migration(Map<String, String> row, Instant origin) {
        Instant started = Times.parseInstant(row.get("started"));
        double start = Times.secondsSince(origin, started);
        Double totalMs = number(row.get("total_ms"));
        // Files written before failed migrations had rows have no outcome column: every row there is a success.
        boolean failed = "failed".equals(row.get("outcome"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("number", "#" + row.get("migration"));
        m.put("label", "#" + row.get("migration") + " " + row.get("app") + " " + row.get("from") + "\u2192"
                + row.get("to") + (failed ? " failed" : ""));
        m.put("strategy", row.get("strategy"));
        m.put("failed", failed);
        m.put("start", start);
        m.put("end", start + (totalMs == null ? 0 : totalMs / 1000));
        m.put("total_ms", totalMs);
        // A failed migration has no downtime: null keeps it off the plots rather than drawn as none.
        m.put("downtime_ms", failed ? null : number(row.get("client_downtime_ms")));
        m.put("service_gap_ms", failed ? null : number(row.get("service_gap_ms")));
        m.put("state_size", failed ? null : SIZE_COLUMNS.stream().map(row::get).map(ReportData::number)
                .filter(Objects::nonNull).findFirst().orElse(null));
        List<Map<String, Object>> phases = new ArrayList<>();
        for (MigrationColumns.PhaseSpan p : MigrationColumns.decodePhases(row.get("phases"))) {
            phases.add(Map.of("name", p.name(), "start", start + p.startMs() / 1000, "end", start + p.endMs() / 1000));
        }
        m.put("phases", phases);
        m.put("columns", row);
        return m;
    }

    /** Per client: {@code [sent s, latency ms or null, value or null, retries, result]} per request. */
    private static List<Map<String, Object>> clients(List<ClientRequest> requests, Instant origin) {
        Map<String, List<ClientRequest>> byClient = new LinkedHashMap<>();
        // A client of each run of an experiment is a series of its own: its requests start again from 1.
        requests.forEach(r -> byClient.computeIfAbsent(r.client() + "\u0000" + nullToEmpty(r.run()),
                k -> new ArrayList<>()).add(r));
        List<Map<String, Object>> clients = new ArrayList<>();
        List<String> names = SeriesNames.of(byClient.values().stream().map(List::getFirst).toList());
        Iterator<String> name = names.iterator();
        byClient.forEach((series, list) -> {
            List<Object> points = new ArrayList<>(list.size());
            for (ClientRequest r : list) {
                points.add(java.util.Arrays.asList(Times.secondsSince(origin, r.sent()),
                        r.latency() == null ? null : r.latency().toNanos() / 1e6, number(r.value()), r.retries(),
                        r.result()));
            }
            Map<String, Object> client = new LinkedHashMap<>();
            client.put("name", name.next());
            client.put("points", points);
            client.put("lost", list.stream().filter(ClientRequest::lost).count());
            clients.add(client);
        });
        return clients;
    }

    /** The usual columns, with an experiment's run and sweep values after the migration's number. */
    private static List<String> tableColumns(CsvTable migrations) {
        List<String> columns = new ArrayList<>(TABLE_COLUMNS.stream().filter(migrations.header()::contains).toList());
        List<String> runColumns = migrations.header().stream()
                .filter(c -> c.startsWith("sweep_") || (c.equals("run") && !migrations.distinct("run").isEmpty()))
                .toList();
        columns.addAll(columns.isEmpty() ? 0 : 1, runColumns);
        return columns;
    }

    /**
     * A plot against state size is worth drawing when some strategy moved states whose sizes span at least a
     * factor of two (strategies count state differently: a checkpoint's images are larger than a handover's).
     */
    private static boolean isSweep(List<Map<String, Object>> migrations) {
        Map<Object, List<Double>> sizes = new LinkedHashMap<>();
        for (Map<String, Object> m : migrations) {
            if (m.get("state_size") instanceof Double size && size > 0) {
                sizes.computeIfAbsent(m.get("strategy"), k -> new ArrayList<>()).add(size);
            }
        }
        return sizes.values().stream().anyMatch(list -> list.size() > 1
                && list.stream().mapToDouble(d -> d).max().orElseThrow()
                        >= 2 * list.stream().mapToDouble(d -> d).min().orElseThrow());
    }

    private static String nullToEmpty(String text) {
        return text == null ? "" : text;
    }

    private static Double number(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
