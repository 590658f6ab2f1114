package net.mignet.report;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.mignet.migrate.ClientObservation;
import net.mignet.migrate.HeldFrames;
import net.mignet.migrate.MigrationFailure;
import net.mignet.migrate.MigrationReport;
import net.mignet.migrate.Phase;

/**
 * The columns of {@code migrations.csv}, one row per migration. Phases appear twice: the phases every strategy
 * knows today as fixed {@code phase_<name>_start_ms}/{@code _end_ms} columns (counted from the migration's
 * start; a phase that ran several times spans from its first start to its last end), and all of them, whatever
 * their names, in the {@code phases} field as {@code name=start..end} in milliseconds separated by {@code ;}.
 * A strategy with phases of its own adds their names to {@link #FIXED_PHASES} to give them columns too.
 * A migration that failed has a row too ({@code outcome} {@code failed}, its message in {@code error}), with its
 * times and what else it has; the figures of a finished migration are empty in it.
 */
public final class MigrationColumns {
    /** Phases with columns of their own: those of the handover, recipe and checkpoint strategies. */
    public static final List<String> FIXED_PHASES = List.of("start", "hold", "drain", "handover",
            "redirect", "dump", "transfer", "lazy-pages", "restore", "release", "pages", "retire");

    private static final List<String> LEADING = List.of("migration", "app", "strategy", "from", "to", "started",
            "ended", "total_ms", "service_gap_ms", "client_downtime_ms", "client_largest_gap_ms",
            "client_usual_rtt_ms", "client_requests", "requests_retried", "requests_lost", "requests_forwarded",
            "state_bytes", "state_network_bytes", "held_frames", "held_bytes", "held_longest_ms", "held_dropped",
            "old_pid", "new_pid", "state_route", "flow_changes");
    /** After the phases: added later than the rest, at the end so that readers by position keep working. */
    private static final List<String> TRAILING = List.of("outcome", "error");

    private MigrationColumns() {
    }

    public static List<String> header() {
        return header(List.of());
    }

    /**
     * The header with {@code runColumns} (an experiment's run number and sweep values) right after
     * {@code migration}.
     */
    public static List<String> header(List<String> runColumns) {
        List<String> header = new ArrayList<>(LEADING);
        header.addAll(1, runColumns);
        for (String phase : FIXED_PHASES) {
            header.add(phaseColumn(phase, "start"));
            header.add(phaseColumn(phase, "end"));
        }
        header.add("phases");
        header.addAll(TRAILING);
        return header;
    }

    static String phaseColumn(String phase, String edge) {
        return "phase_" + phase.replace('-', '_') + "_" + edge + "_ms";
    }

    /**
     * The row of migration number {@code index} (from 1), which began at {@code started}; {@code requestsLost}
     * counts the requests sent during it that the clients gave up on, or is null when no client was watched.
     */
    public static List<String> row(int index, Instant started, MigrationReport r, Integer requestsLost) {
        return row(index, Map.of(), started, r, requestsLost);
    }

    /** The row with the values of the run columns of {@link #header(List)}, in their order. */
    public static List<String> row(int index, Map<String, String> runValues, Instant started, MigrationReport r,
            Integer requestsLost) {
        Map<String, String> v = leading(index, runValues, r.app(), r.strategy(), r.from(), r.to(), started,
                started.plus(r.total()), requestsLost);
        ClientObservation c = r.client();
        HeldFrames held = r.held();
        v.put("service_gap_ms", Times.ms(r.serviceGap()));
        v.put("client_downtime_ms", c == null ? "" : Times.ms(c.downtime()));
        v.put("client_largest_gap_ms", c == null ? "" : Times.ms(c.largestGap()));
        v.put("client_usual_rtt_ms", c == null ? "" : Times.ms(c.usualRtt()));
        v.put("client_requests", c == null ? "" : Integer.toString(c.requests()));
        v.put("requests_retried", c == null ? "" : Integer.toString(c.retries()));
        // Counted by the old instance (the state strategies); empty when the strategy cannot tell.
        v.put("requests_forwarded", known(r.requestsForwarded()));
        v.put("state_bytes", known(r.stateBytes()));
        v.put("state_network_bytes", known(r.stateNetworkBytes()));
        v.put("held_frames", Long.toString(held.frames()));
        v.put("held_bytes", Long.toString(held.bytes()));
        v.put("held_longest_ms", Times.ms(held.longest()));
        v.put("held_dropped", Long.toString(held.dropped()));
        v.put("old_pid", Long.toString(r.oldPid()));
        v.put("new_pid", Long.toString(r.newPid()));
        v.put("state_route", r.stateRoute());
        v.put("flow_changes", String.join(" | ", r.flowChanges()));
        for (String phase : FIXED_PHASES) {
            List<Phase> runs = r.phases().stream().filter(p -> p.name().equals(phase)).toList();
            v.put(phaseColumn(phase, "start"), runs.isEmpty() ? "" : Times.ms(runs.getFirst().start()));
            v.put(phaseColumn(phase, "end"), runs.isEmpty() ? "" : Times.ms(runs.getLast().end()));
        }
        v.put("phases", encodePhases(r.phases()));
        v.put("outcome", "ok");
        return inHeaderOrder(v, runValues);
    }

    /**
     * The row of migration number {@code index} that failed and was rolled back: its times, requests lost during
     * it and the failure's message; the figures only a finished migration has are empty, not zero, so that they
     * do not read as a migration without downtime.
     */
    public static List<String> failedRow(int index, Map<String, String> runValues, MigrationFailure f,
            Integer requestsLost) {
        Map<String, String> v = leading(index, runValues, f.app(), f.strategy(), f.from(), f.to(), f.started(),
                f.ended(), requestsLost);
        v.put("old_pid", Long.toString(f.oldPid()));
        v.put("outcome", "failed");
        v.put("error", f.reason());
        return inHeaderOrder(v, runValues);
    }

    /** What every row has, finished or failed. */
    private static Map<String, String> leading(int index, Map<String, String> runValues, String app, String strategy,
            String from, String to, Instant started, Instant ended, Integer requestsLost) {
        Map<String, String> v = new LinkedHashMap<>(runValues);
        v.put("migration", Integer.toString(index));
        v.put("app", app);
        v.put("strategy", strategy);
        v.put("from", from);
        v.put("to", to);
        v.put("started", Times.instant(started));
        v.put("ended", Times.instant(ended));
        v.put("total_ms", Times.ms(Duration.between(started, ended)));
        v.put("requests_lost", requestsLost == null ? "" : requestsLost.toString());
        return v;
    }

    /** The values in the order of {@link #header(List)} with these run columns; a column without one is empty. */
    private static List<String> inHeaderOrder(Map<String, String> v, Map<String, String> runValues) {
        return header(List.copyOf(runValues.keySet())).stream().map(c -> v.getOrDefault(c, "")).toList();
    }

    private static String known(long value) {
        return value < 0 ? "" : Long.toString(value);
    }

    /** {@code start=0.000..12.345;hold=12.345..13.002}: every phase in order, with no line break or comma. */
    public static String encodePhases(List<Phase> phases) {
        StringBuilder sb = new StringBuilder();
        for (Phase p : phases) {
            if (!sb.isEmpty()) {
                sb.append(';');
            }
            sb.append(p.name().replaceAll("[^A-Za-z0-9_.-]", "_")).append('=').append(Times.ms(p.start()))
                    .append("..").append(Times.ms(p.end()));
        }
        return sb.toString();
    }

    /** The phases of a {@code phases} field, each with its start and end in milliseconds from the migration's start. */
    public static List<PhaseSpan> decodePhases(String field) {
        List<PhaseSpan> spans = new ArrayList<>();
        if (field == null || field.isBlank()) {
            return spans;
        }
        for (String part : field.split(";")) {
            int eq = part.indexOf('=');
            int dots = part.indexOf("..", eq + 1);
            if (eq <= 0 || dots < 0) {
                throw new IllegalArgumentException("phase '" + part + "' is not name=start..end (milliseconds)");
            }
            spans.add(new PhaseSpan(part.substring(0, eq), Double.parseDouble(part.substring(eq + 1, dots)),
                    Double.parseDouble(part.substring(dots + 2))));
        }
        return spans;
    }

    /** One phase read back from a {@code phases} field. */
    public record PhaseSpan(String name, double startMs, double endMs) {
    }
}
