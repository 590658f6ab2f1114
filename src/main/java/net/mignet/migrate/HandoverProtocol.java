package net.mignet.migrate;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import net.mignet.app.App;
import net.mignet.topo.Ipv4Address;

/**
 * How one kind of service hands its state to a successor: how the successor is started, when it is ready,
 * what makes the old instance hand over, and how to tell that the state has arrived. A migration drives these
 * steps and measures them; the protocol knows the service.
 */
public interface HandoverProtocol {

    /** The command line of the successor, which must take the state from {@code oldStateAddress}. */
    List<String> successorArgv(App old, Ipv4Address oldStateAddress, Ipv4Address newStateAddress);

    /**
     * Waits until the successor can receive the state (it was started at {@code since}); throws when it cannot
     * within {@code timeout}.
     */
    void awaitReady(App old, App successor, Instant since, Duration timeout) throws InterruptedException;

    /** Makes the old instance hand its state over. */
    void trigger(App old);

    /**
     * Waits until the successor has the state (the handover was triggered at {@code since}); throws when it
     * has not within {@code timeout}, or as soon as the old instance reports that the handover failed.
     */
    Handover awaitHandover(App old, App successor, Instant since, Duration timeout) throws InterruptedException;

    /**
     * Whether the old instance keeps passing late requests to the successor after the handover, so it should
     * linger until requests already on their way to it have arrived.
     */
    boolean forwardsLateRequests();


    /**
     * What the handover measured.
     *
     * @param stateBytes  bytes of state transferred, or -1 when the protocol cannot tell
     * @param serviceGap  how long no instance was serving: from the old one freezing to the successor
     *                    serving, or null when the protocol cannot tell
     */
    record Handover(long stateBytes, Duration serviceGap) {
    }
}
