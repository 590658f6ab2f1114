package net.mignet.migrate;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What one migration did and what it cost; every strategy reports the same figures.
 *
 * @param app               the app's name
 * @param strategy          how it moved: handover, recipe, checkpoint, stop-and-copy, pre-copy or post-copy
 * @param from              host it ran on
 * @param to                host it runs on now
 * @param oldPid            pid of the instance that was replaced
 * @param newPid            pid of the instance serving now
 * @param stateRoute        the internal addresses the state went between, e.g. {@code 192.168.0.12 -> 192.168.0.13}
 * @param stateBytes        bytes of state as the service counted them, or -1 when it cannot tell
 * @param stateNetworkBytes bytes that crossed the source host's state interface during the migration (both
 *                          directions, all traffic), read from the kernel's counters; -1 when unknown
 * @param serviceGap        time no instance was serving (old frozen until successor serving), or null
 * @param held              frames held at the switch while the service moved, and those lost there
 * @param client            what the observing client saw, or null when no client was observed
 * @param flowChanges       the flow rules changed, as ovs-ofctl text
 * @param phases            each phase with its start and length (one may overlap another); the state strategies
 *                          report snapshot, rounds, freeze, transfer and resume
 * @param total             the whole migration, from starting the successor to retiring the old instance
 * @param requestsForwarded requests that reached the old instance after it stopped serving and that it forwarded
 *                          to the successor, as the old instance counted them; -1 when the strategy cannot tell
 */
public record MigrationReport(String app, String strategy, String from, String to, long oldPid, long newPid,
        String stateRoute, long stateBytes, long stateNetworkBytes, Duration serviceGap, HeldFrames held,
        ClientObservation client, List<String> flowChanges, List<Phase> phases, Duration total,
        long requestsForwarded) {

    public MigrationReport {
        flowChanges = List.copyOf(flowChanges);
        phases = List.copyOf(phases);
    }

    /** A report of a strategy that does not count forwarded requests. */
    public MigrationReport(String app, String strategy, String from, String to, long oldPid, long newPid,
            String stateRoute, long stateBytes, long stateNetworkBytes, Duration serviceGap, HeldFrames held,
            ClientObservation client, List<String> flowChanges, List<Phase> phases, Duration total) {
        this(app, strategy, from, to, oldPid, newPid, stateRoute, stateBytes, stateNetworkBytes, serviceGap, held,
                client, flowChanges, phases, total, -1);
    }

    /** The length of the phase of that name, or null when there was none. */
    public Duration phase(String name) {
        return phases.stream().filter(p -> p.name().equals(name)).map(Phase::length).findFirst().orElse(null);
    }

    /** One line for people, e.g. after each migration of the demo. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append("Migrated ").append(app).append(' ').append(from).append(" -> ").append(to).append(": ");
        if (client != null && client.cutOff()) {
            sb.append("!!! the client got no reply to what it sent after the move: client downtime at least ")
                    .append(ms(client.downtime())).append(" and counting (is the service reachable where it moved?)");
        } else if (client != null && client.requests() == 0) {
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
        sb.append("; by ").append(strategy);
        if (serviceGap != null) {
            sb.append("; service paused ").append(ms(serviceGap));
        }
        sb.append("; state ").append(stateBytes < 0 ? "?" : stateBytes).append(" bytes");
        if (stateNetworkBytes >= 0) {
            sb.append(", ").append(stateNetworkBytes).append(" bytes on the state network");
        }
        sb.append(" via ").append(stateRoute);
        if (held.frames() > 0 || held.dropped() > 0) {
            sb.append("; held ").append(held.frames()).append(" frames up to ").append(ms(held.longest()));
        }
        if (held.dropped() > 0) {
            sb.append(", LOST ").append(held.dropped()).append(" at the switch (hold full)");
        }
        if (requestsForwarded > 0) {
            sb.append("; ").append(requestsForwarded).append(" late requests forwarded");
        }
        sb.append("; took ").append(ms(total)).append(':');
        phases.forEach(p -> sb.append(' ').append(p.name()).append(' ').append(ms(p.length())));
        return sb.toString();
    }

    static String ms(Duration d) {
        return d == null ? "?" : String.format(Locale.ROOT, "%.1f ms", d.toNanos() / 1e6);
    }
}
