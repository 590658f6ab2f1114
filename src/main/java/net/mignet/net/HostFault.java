package net.mignet.net;

import java.time.Instant;
import java.util.List;

/**
 * One fault that happened to a host, as {@link Faults} reports it to its listeners (apps, migrations).
 *
 * @param host   the host's name
 * @param kind   what happened
 * @param at     when it took effect
 * @param pids   the processes it affected: killed, frozen or thawed
 * @param method how: e.g. {@code SIGKILL}, {@code cgroup v1 freezer}, {@code SIGSTOP}
 */
public record HostFault(String host, Kind kind, Instant at, List<Long> pids, String method) {
    public enum Kind {
        CRASHED, RESTARTED, FROZEN, THAWED;

        /** The condition the host is in after this fault. */
        public HostCondition condition() {
            return switch (this) {
                case CRASHED -> HostCondition.CRASHED;
                case FROZEN -> HostCondition.FROZEN;
                case RESTARTED, THAWED -> HostCondition.UP;
            };
        }
    }

    public HostFault {
        pids = List.copyOf(pids);
    }

    /** One line for the shell and the logs, e.g. {@code h2 crashed: 3 processes killed (SIGKILL), interfaces down}. */
    public String describe() {
        return switch (kind) {
            case CRASHED -> host + " crashed: " + count() + " killed (" + method + "), interfaces down";
            case RESTARTED -> host + " restarted: interfaces up (apps that ran on it stay crashed; deploy them"
                    + " again)";
            case FROZEN -> host + " frozen: " + count() + " stopped (" + method + ")";
            case THAWED -> host + " thawed: " + count() + " running again (" + method + ")";
        };
    }

    private String count() {
        return pids.size() == 1 ? "1 process" : pids.size() + " processes";
    }
}
