package net.mignet.linkemu;

import java.util.function.Consumer;
import net.mignet.kernel.NativeCalls;

/**
 * What the engine opens on one link's two fabric devices: a receive socket on each, and each direction's
 * {@link KernelPath} (null where eBPF failed, or none was asked for). Opened in the fabric's namespace.
 */
record EngineSockets(PacketSocket a, PacketSocket b, KernelPath aToB, KernelPath bToA) implements AutoCloseable {
    /**
     * Opens the sockets of {@code path} with rings of {@code slots}; with kernel paths drawing from {@code linkSeed}
     * unless it is null. A kernel path that cannot be made is reported to {@code noKernelPath} and left out (the
     * link then runs on the engine alone); a socket that cannot be opened fails the whole.
     */
    static EngineSockets open(LinkPath path, int slots, Long linkSeed, Consumer<RuntimeException> noKernelPath) {
        String devA = path.engineDeviceA();
        String devB = path.engineDeviceB();
        KernelPath[] kernel = new KernelPath[2];
        if (linkSeed != null) {
            try {
                // Named mignet_<link>ab / ba, so that bpftool's lists tell them.
                kernel[0] = KernelPath.create("mignet_" + path.index() + "ab",
                        EngineLoop.directionSeed(linkSeed, true), NativeCalls.ifNameToIndex(devB));
                kernel[1] = KernelPath.create("mignet_" + path.index() + "ba",
                        EngineLoop.directionSeed(linkSeed, false), NativeCalls.ifNameToIndex(devA));
            } catch (RuntimeException e) {
                closeAll(kernel);
                kernel = new KernelPath[2];
                noKernelPath.accept(e);
            }
        }
        PacketSocket a = null;
        PacketSocket b = null;
        try {
            a = PacketSocket.openWithRing(devA, slots, kernel[0]);
            b = PacketSocket.openWithRing(devB, slots, kernel[1]);
            if (kernel[0] != null) {
                try {
                    kernel[0].attachIngress(NativeCalls.ifNameToIndex(devA), devA);
                    kernel[1].attachIngress(NativeCalls.ifNameToIndex(devB), devB);
                } catch (RuntimeException e) {
                    // Without the tc side a filter's "in the kernel" would lose frames: the engine keeps them all.
                    closeAll(kernel);
                    kernel = new KernelPath[2];
                    a.close();
                    b.close();
                    a = null;
                    b = null;
                    a = PacketSocket.openWithRing(devA, slots);
                    b = PacketSocket.openWithRing(devB, slots);
                    noKernelPath.accept(e);
                }
            }
            return new EngineSockets(a, b, kernel[0], kernel[1]);
        } catch (RuntimeException e) {
            if (a != null) {
                a.close();
            }
            if (b != null) {
                b.close();
            }
            closeAll(kernel);
            throw e;
        }
    }

    private static void closeAll(KernelPath[] paths) {
        for (KernelPath k : paths) {
            if (k != null) {
                k.close();
            }
        }
    }

    @Override
    public void close() {
        a.close();
        b.close();
        closeAll(new KernelPath[] {aToB, bToA});
    }
}
