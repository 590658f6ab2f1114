package net.mignet.migrate;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one migration did and what it cost.
 *
 * @param app              the app's name
 * @param from             host it ran on
 * @param to               host it runs on now
 * @param oldPid           pid of the instance that was replaced
 * @param newPid           pid of the successor
 * @param stateRoute       the internal addresses the state went between, e.g. {@code 192.168.0.12 -> 192.168.0.13}
 * @param stateBytes       bytes of state, or -1 when the protocol cannot tell
 * @param serviceGap       time no instance was serving (old frozen until successor serving), or null
 * @param client           what the observing client saw, or null when no client was observed
 * @param flowChanges      the flow rules changed, as ovs-ofctl text
 * @param phases           duration of each phase (redirect may overlap the handover)
 * @param total            the whole migration, from starting the successor to retiring the old instance
 */
public record MigrationReport(String app, String from, String to, long oldPid, long newPid, String stateRoute,
        long stateBytes, Duration serviceGap, ClientObservation client, List<String> flowChanges,
        Map<String, Duration> phases, Duration total) {

    public MigrationReport {
        flowChanges = List.copyOf(flowChanges);
        phases = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(phases));
    }

    /** One line for people, e.g. after each migration of the demo. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append("Migrated ").append(app).append(' ').append(from).append(" -> ").append(to).append(": ");
        if (client != null && client.requests() == 0) {
            sb.append("no client request fell into the migration (largest gap between replies ")
                    .append(ms(client.largestGap())).append(')');
        } else if (client != null) {
            sb.append("client downtime ").append(ms(client.downtime()))
                    .append(" (largest gap between replies ").append(ms(client.largestGap()))
                    .append(", ").append(client.retries()).append(" retries, ")
                    .append(client.requests()).append(" requests affected)");
        } else {
            sb.append("no client observed");
        }
        if (serviceGap != null) {
            sb.append("; service paused ").append(ms(serviceGap));
        }
        sb.append("; state ").append(stateBytes < 0 ? "?" : stateBytes).append(" bytes via ").append(stateRoute);
        sb.append("; took ").append(ms(total)).append(':');
        phases.forEach((name, d) -> sb.append(' ').append(name).append(' ').append(ms(d)));
        return sb.toString();
    }

    static String ms(Duration d) {
        return d == null ? "?" : String.format(Locale.ROOT, "%.1f ms", d.toNanos() / 1e6);
    }
}
