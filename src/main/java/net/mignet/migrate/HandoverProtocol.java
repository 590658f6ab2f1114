package net.mignet.migrate;

import java.time.Duration;
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

    /** Waits until the successor can receive the state; throws when it cannot within {@code timeout}. */
    void awaitReady(App successor, Duration timeout) throws InterruptedException;

    /** Makes the old instance hand its state over. */
    void trigger(App old);

    /** Waits until the successor has the state; throws when it has not within {@code timeout}. */
    Handover awaitHandover(App old, App successor, Duration timeout) throws InterruptedException;

    /**
     * Whether the old instance keeps passing late requests to the successor after the handover, so it should
     * linger until requests already on their way to it have arrived.
     */
    boolean forwardsLateRequests();

    /**
     * Whether the switches should send traffic to the successor before the handover: right for a successor
     * that binds the service address at start and lets requests wait in its socket until the state is there.
     * Otherwise traffic is redirected after the handover, as the original example does.
     */
    boolean redirectBeforeHandover();

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
