package net.mignet.linkemu;

import java.util.List;
import net.mignet.kernel.IpBatch;
import net.mignet.kernel.TrafficShaping;

/**
 * Puts the userspace engine in the middle of a link without touching the hosts: the hosts' interfaces, their
 * addresses and the sockets of running programs survive, so this works on a running link too.
 * <ul>
 * <li>A link to a switch port {@code P} of bridge {@code S}: {@code P} is taken out of the bridge and renamed
 * to the engine device facing the far end; a new veth pair joins the engine device facing the switch to a new
 * {@code P} in {@code S}. The port keeps its name, so flow rules still name it, but the switch's nftables
 * chains must be bound again to the new device.</li>
 * <li>A link between two hosts already runs through the fabric (see {@code Realizer}); only the tc redirects
 * joining its two fabric devices are removed.</li>
 * </ul>
 */
final class EnginePlumbing {
    private EnginePlumbing() {
    }

    /** What inserting the engine changed: the switch whose port device was replaced, if any. */
    record Result(LinkPath path, String replacedPortOf, String replacedDevice) {
    }

    /** Adds the commands that insert the engine into {@code path} to the fabric's ip and tc batches. */
    static Result insert(LinkPath path, IpBatch ip, IpBatch tc) {
        if (path.b().isSwitchPort()) {
            movePort(path.b(), path.engineDeviceA(), path.engineDeviceB(), ip);
            return new Result(path, path.b().bridge(), path.b().device());
        }
        if (path.a().isSwitchPort()) {
            movePort(path.a(), path.engineDeviceB(), path.engineDeviceA(), ip);
            return new Result(path, path.a().bridge(), path.a().device());
        }
        for (String device : List.of(path.engineDeviceA(), path.engineDeviceB())) {
            tc.add("qdisc", "del", "dev", device, "ingress");
        }
        return new Result(path, null, null);
    }

    /**
     * The end whose carrier {@link #insert} interrupts for a moment (the peer of the switch port it moves), or
     * null when it moves none.
     */
    static LinkPath.Port endLosingCarrier(LinkPath path) {
        if (path.b().isSwitchPort()) {
            return path.a();
        }
        return path.a().isSwitchPort() ? path.b() : null;
    }

    /**
     * {@code port} becomes {@code renamed} (it faces the far end); a new pair {@code towardSwitch <-> port}
     * takes its place in the bridge. A device must be down to be renamed: the far end sees a short carrier loss.
     */
    private static void movePort(LinkPath.Port port, String renamed, String towardSwitch, IpBatch ip) {
        // Names after 'dev'/'name': a port may be called like an ip keyword (alias, type, up, ...).
        ip.add("link", "set", "dev", port.device(), "down");
        ip.add("link", "set", "dev", port.device(), "nomaster");
        ip.add("link", "set", "dev", port.device(), "name", renamed);
        ip.add("link", "add", "name", towardSwitch, "type", "veth", "peer", "name", port.device());
        ip.add("link", "set", "dev", port.device(), "master", port.bridge());
        ip.add("link", "set", "dev", port.device(), "up");
        ip.add("link", "set", "dev", towardSwitch, "up");
        ip.add("link", "set", "dev", renamed, "up");
    }

    /** The rate limit a moved port had stays on the renamed device; it is removed from there. */
    static void dropMovedRate(Result r) {
        if (r.replacedDevice() == null) {
            return;
        }
        String renamed = r.replacedDevice().equals(r.path().b().device()) && r.path().b().isSwitchPort()
                ? r.path().engineDeviceA() : r.path().engineDeviceB();
        TrafficShaping.removeRootQdisc(r.path().fabric(), renamed);
    }
}
