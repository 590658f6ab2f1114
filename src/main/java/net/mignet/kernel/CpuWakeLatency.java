package net.mignet.kernel;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * A request to the kernel's CPU latency QoS ({@code /dev/cpu_dma_latency}) that idle CPUs wake within a given
 * number of microseconds; 0 keeps them out of every idle state that halts, so they poll instead (where a cpuidle
 * governor honours the request: without a cpuidle driver the kernel's default idle halts anyway). The request
 * lasts while its file stays open and the kernel drops it when the file closes, also when the process dies
 * (even by SIGKILL), so nothing is ever left behind. While it is held, idle CPUs spend their idle time polling:
 * on a VM the host sees those vCPUs busy, on real hardware they use more power.
 */
public final class CpuWakeLatency implements AutoCloseable {
    static final Path DEVICE = Path.of("/dev/cpu_dma_latency");
    static final Path IDLE_DRIVER = Path.of("/sys/devices/system/cpu/cpuidle/current_driver");

    private final FileChannel request;

    private CpuWakeLatency(FileChannel request) {
        this.request = request;
    }

    /**
     * Asks that idle CPUs wake within {@code micros} microseconds until {@link #close()}.
     *
     * @throws IOException if the device is missing (a kernel without PM QoS) or cannot be opened (not root)
     */
    public static CpuWakeLatency request(int micros) throws IOException {
        if (micros < 0) {
            throw new IllegalArgumentException("a wake-up latency cannot be negative (asked for " + micros + " us)");
        }
        // Never created: where the device is missing, a file of that name would take the request and do nothing.
        FileChannel out = FileChannel.open(DEVICE, StandardOpenOption.WRITE);
        try {
            // Exactly four bytes are read as a binary s32; any other length as a hexadecimal string.
            ByteBuffer value = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.nativeOrder()).putInt(micros).flip();
            while (value.hasRemaining()) {
                out.write(value);
            }
        } catch (IOException e) {
            out.close();
            throw e;
        }
        return new CpuWakeLatency(out);
    }

    /**
     * The strictest latency all requests on the machine ask for, in microseconds (the kernel's default, about
     * 2e9, when none does).
     */
    public static int currentLimitMicros() throws IOException {
        try (FileInputStream in = new FileInputStream(DEVICE.toFile())) {
            byte[] value = in.readNBytes(Integer.BYTES);
            if (value.length != Integer.BYTES) {
                throw new IOException(DEVICE + " gave " + value.length + " bytes, not a 32-bit value");
            }
            return ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()).getInt();
        }
    }

    /**
     * The cpuidle driver that honours requests, or empty where idle CPUs halt whatever is asked: no cpuidle
     * driver ({@code none}), or no cpuidle at all. Measured on such a VM, four alternations: a pipe's reader on
     * the other, idle vCPU woke 90-106 us (p50) after the write without a request and 100-109 us with one.
     */
    public static Optional<String> idleDriver() {
        return idleDriver(IDLE_DRIVER);
    }

    static Optional<String> idleDriver(Path file) {
        try {
            String driver = Files.readString(file).strip();
            return driver.isEmpty() || driver.equals("none") ? Optional.empty() : Optional.of(driver);
        } catch (IOException e) {
            return Optional.empty(); // a kernel without cpuidle
        }
    }

    /** Ends the request: idle CPUs may halt again. */
    @Override
    public void close() {
        try {
            request.close();
        } catch (IOException e) {
            // The kernel drops the request with the file whatever close reports.
        }
    }
}
