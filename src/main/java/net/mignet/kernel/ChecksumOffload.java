package net.mignet.kernel;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns transmit checksum offload off on interfaces (with it the segmentation offloads that need it), as
 * {@code ethtool -K IF tx off} does, through the {@code SIOCETHTOOL} ioctl from threads of this process. Needed
 * where frames are copied to userspace without their checksum state: a veth with offload hands on a frame whose
 * TCP/UDP checksum is still to be filled in, and a copy of it sent back out (a PACKET_OUT) would arrive with a
 * wrong checksum and be dropped by the receiver.
 */
public final class ChecksumOffload {
    private static final long SIOCETHTOOL = 0x8946;
    private static final int ETHTOOL_STXCSUM = 0x17;
    private static final int AF_INET = 2;
    private static final int SOCK_DGRAM = 2;
    private static final int IFREQ = 40;
    private static final MethodHandle IOCTL = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("ioctl").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            Linker.Option.firstVariadicArg(2), Linker.Option.captureCallState("errno"));

    private ChecksumOffload() {
    }

    /** Turns transmit checksumming off on the named interfaces of each namespace (namespace -> interfaces). */
    public static void disableTransmit(Map<String, List<String>> interfacesByNamespace) {
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        NamespaceThread.forEachInParallel(List.copyOf(interfacesByNamespace.keySet()), ns -> {
            int fd = Libc.socket(AF_INET, SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
            try (Arena arena = Arena.ofConfined()) {
                for (String name : interfacesByNamespace.get(ns)) {
                    MemorySegment value = arena.allocate(8);
                    value.set(JAVA_INT, 0, ETHTOOL_STXCSUM);
                    value.set(JAVA_INT, 4, 0);
                    MemorySegment request = arena.allocate(IFREQ);
                    MemorySegment.copy(arena.allocateFrom(name), 0, request, 0, Math.min(15, name.length()));
                    request.set(ADDRESS, 16, value);
                    int rc = (int) IOCTL.invokeExact(NativeCalls.callState(), fd, SIOCETHTOOL, request);
                    if (rc < 0) {
                        failures.add(name + " in " + ns + ": " + NativeCalls.strerror(NativeCalls.errno()));
                    }
                }
            } catch (Throwable t) {
                throw NativeCalls.rethrow(t);
            } finally {
                NativeCalls.close(fd);
            }
        });
        if (!failures.isEmpty()) {
            throw new IllegalStateException("cannot turn transmit checksum offload off on " + failures);
        }
    }
}
