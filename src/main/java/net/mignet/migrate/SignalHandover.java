package net.mignet.migrate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.mignet.app.App;
import net.mignet.topo.Ipv4Address;

/**
 * The original example's handover, for services written like it: the successor is the same command with a
 * "get state" flag and listens for the state on a UDP port; SIGTERM makes the old instance send its state
 * there and exit. mignet can only wait for the old instance to exit: whether the state arrived is the
 * service's business (the original sends it six times and hopes).
 */
public final class SignalHandover implements HandoverProtocol {
    private final List<String> getStateArgs;
    private final int statePort;

    /** @param getStateArgs what the successor gets added to its command line, e.g. {@code --get_state} */
    public SignalHandover(List<String> getStateArgs, int statePort) {
        this.getStateArgs = List.copyOf(getStateArgs);
        this.statePort = statePort;
    }

    @Override
    public List<String> successorArgv(App old, Ipv4Address oldStateAddress, Ipv4Address newStateAddress) {
        List<String> argv = new ArrayList<>(old.argv());
        argv.removeAll(getStateArgs);
        argv.addAll(getStateArgs);
        return argv;
    }

    /** Ready once the successor's UDP state port is bound in its host, read from the kernel's socket table. */
    @Override
    public void awaitReady(App old, App successor, Instant since, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!successor.isRunning()) {
                throw new IllegalStateException(successor.name() + " exited before binding UDP port " + statePort
                        + ": " + AppEventWait.lastWords(successor));
            }
            String bound = successor.host().exec(List.of("ss", "-Hlun", "sport = :" + statePort),
                    Duration.ofSeconds(5)).stdout();
            if (!bound.isBlank()) {
                return;
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException(successor.name() + " did not bind UDP port " + statePort + " within "
                + timeout.toMillis() + " ms");
    }

    @Override
    public void trigger(App old) {
        old.terminate();
    }

    @Override
    public Handover awaitHandover(App old, App successor, Instant since, Duration timeout) {
        if (!old.awaitExit(timeout)) {
            throw new IllegalStateException(old.name() + " did not exit within " + timeout.toMillis()
                    + " ms of SIGTERM");
        }
        return new Handover(-1, null);
    }

    @Override
    public boolean forwardsLateRequests() {
        return false;
    }
}
