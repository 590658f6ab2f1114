package net.mignet.net;

import java.util.List;
import net.mignet.kernel.FreezerCgroup;
import net.mignet.kernel.ProcessTree;
import net.mignet.kernel.Signals;

/** The processes of one frozen host, kept stopped by one {@link FreezeMethod} until {@link #thaw()}. */
abstract sealed class FrozenHost permits FrozenHost.InCgroup, FrozenHost.Stopped {
    private static final int SIGSTOP = 19;
    private static final int SIGCONT = 18;

    /** Stops every process on {@code host}. */
    static FrozenHost freeze(Host host, FreezeMethod method) {
        return switch (method) {
            case CGROUP_FREEZER -> InCgroup.freeze(host);
            case SIGSTOP -> Stopped.freeze(host);
        };
    }

    abstract List<Long> pids();

    abstract FreezeMethod method();

    /** Lets every process run again; returns those still there. */
    abstract List<Long> thaw();

    /**
     * All processes go into one freezer cgroup, which is frozen; processes that appeared meanwhile join the frozen
     * cgroup, which freezes them on arrival.
     */
    static final class InCgroup extends FrozenHost {
        private final FreezerCgroup cgroup;
        private final List<Long> pids;

        private InCgroup(FreezerCgroup cgroup, List<Long> pids) {
            this.cgroup = cgroup;
            this.pids = pids;
        }

        static InCgroup freeze(Host host) {
            FreezerCgroup cgroup = FreezerCgroup.create(host.namespace());
            try {
                cgroup.add(HostProcesses.of(host));
                cgroup.freeze();
                List<Long> all = HostProcesses.untilNoNewOnes(host, pid -> cgroup.add(List.of(pid)));
                return new InCgroup(cgroup, all);
            } catch (RuntimeException e) {
                cgroup.close();
                throw e;
            }
        }

        @Override
        List<Long> pids() {
            return pids;
        }

        @Override
        FreezeMethod method() {
            return FreezeMethod.CGROUP_FREEZER;
        }

        @Override
        List<Long> thaw() {
            List<Long> members = cgroup.members();
            cgroup.close();
            return members;
        }
    }

    /** SIGSTOP to every process; thawing sends SIGCONT to those it stopped. */
    static final class Stopped extends FrozenHost {
        /** How long a freeze waits for its processes to stop, e.g. one in an uninterruptible sleep. */
        private static final java.time.Duration STOP_WAIT = java.time.Duration.ofSeconds(2);
        private final List<Long> pids;

        private Stopped(List<Long> pids) {
            this.pids = pids;
        }

        /** Returns once every process has stopped (or {@link #STOP_WAIT} passed: one in the kernel may not stop). */
        static Stopped freeze(Host host) {
            List<Long> stopped = HostProcesses.untilNoNewOnes(host, pid -> Signals.send(pid, SIGSTOP));
            // kill() only queues the signal; a process running on another CPU stops when it leaves the kernel,
            // and until then a "frozen" host could still send.
            long deadline = System.nanoTime() + STOP_WAIT.toNanos();
            try {
                while (!stopped.stream().allMatch(ProcessTree::stopped) && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // stopped all the same, only not waited for
            }
            return new Stopped(stopped);
        }

        @Override
        List<Long> pids() {
            return pids;
        }

        @Override
        FreezeMethod method() {
            return FreezeMethod.SIGSTOP;
        }

        @Override
        List<Long> thaw() {
            return pids.stream().filter(pid -> Signals.send(pid, SIGCONT)).toList();
        }
    }
}
