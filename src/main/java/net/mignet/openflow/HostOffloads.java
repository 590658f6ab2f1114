package net.mignet.openflow;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.mignet.kernel.ChecksumOffload;
import net.mignet.net.Emulation;
import net.mignet.net.Host;
import net.mignet.topo.LinkEnd;

/**
 * Readies an emulation's hosts for frames that cross userspace on their way (packet-in, then packet-out): their
 * interfaces compute TCP/UDP checksums themselves instead of leaving them to an offload that a frame copied up
 * by nfnetlink_log would never get. Costs the hosts some CPU per frame and their TSO; only done with OpenFlow.
 */
public final class HostOffloads {
    private HostOffloads() {
    }

    public static void disableChecksumOffload(Emulation net) {
        Map<String, List<String>> byNamespace = new LinkedHashMap<>();
        for (Host h : net.hosts()) {
            List<String> names = h.interfaces().stream().map(LinkEnd::interfaceName).toList();
            if (!names.isEmpty()) {
                byNamespace.put(h.namespace(), names);
            }
        }
        ChecksumOffload.disableTransmit(byNamespace);
    }
}
