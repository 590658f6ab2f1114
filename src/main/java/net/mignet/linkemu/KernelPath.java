package net.mignet.linkemu;

import static net.mignet.kernel.BpfAssembler.R0;
import static net.mignet.kernel.BpfAssembler.R1;
import static net.mignet.kernel.BpfAssembler.R10;
import static net.mignet.kernel.BpfAssembler.R2;
import static net.mignet.kernel.BpfAssembler.R3;
import static net.mignet.kernel.BpfAssembler.R6;
import static net.mignet.kernel.BpfAssembler.R7;
import static net.mignet.kernel.BpfAssembler.R9;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import net.mignet.kernel.BpfAssembler;
import net.mignet.kernel.BpfAssembler.Cond;
import net.mignet.kernel.BpfAssembler.Op;
import net.mignet.kernel.BpfCalls;
import net.mignet.kernel.NativeCalls;

/**
 * The kernel's own path for one direction of an engine link, for the times its parameters hold nothing (no delay,
 * jitter, reordering, duplication or corruption; loss at most): frames then go from the link's in-device straight
 * to its out-device in the kernel, as a plain link's do, and only the loss decision is added, so such a link adds
 * microseconds instead of a trip through a userspace thread.
 * <p>
 * Two eBPF programs share the decision. A socket filter on the engine's receive socket runs first for every frame
 * (packet sockets see a frame before tc does) and decides: to the engine (the filter keeps the frame for the
 * socket), or in the kernel, forwarded or lost (the socket gets nothing). It leaves that decision in a per-CPU
 * slot, and a tc ingress program on the same device carries it out right after, on the same CPU and for the same
 * frame (a CPU handles one received frame at a time, from the taps to tc), by redirecting the frame to the
 * out-device or dropping it. So a frame is never both forwarded and given to the engine, even while the direction
 * switches paths. The slot also holds the frame's length, which both programs see; tc acts only on a match, so
 * that a kernel that could run another frame in between (PREEMPT_RT without its softirq lock) loses such a frame
 * rather than doubling one.
 * <p>
 * Order is kept across a switch: the direction moves into the kernel only once the engine has sent every frame the
 * filter gave it (the filter counts them; the engine says how many it is done with), so no kernel-forwarded frame
 * overtakes one still held. Leaving the kernel needs no wait, since the kernel forwards a frame at once.
 * <p>
 * Loss is drawn as the engine's {@link Impairment} draws it (one {@link java.util.SplittableRandom} value a frame
 * from the direction's seed, in the order frames reach the decision): a link that starts with only loss loses
 * exactly the frames the engine would have, as long as they come in the same order (frames of a sender that moves
 * between CPUs pass through two CPUs' backlogs at once, in either path). The draw count lives in the kernel path,
 * so after switching paths each path continues its own stream.
 * <p>
 * The programs are attached through a file descriptor (the tc side through a {@code tcx} link): closing this, or
 * the process ending however it ends, detaches them.
 */
final class KernelPath implements AutoCloseable {
    /** Byte offsets of the shared words: written by this process. */
    private static final int CONTROL = 0;
    private static final int SEED = 8;
    private static final int THRESHOLD = 16;
    private static final int ENGINE_DONE = 24;
    /** Written by the programs. */
    private static final int TO_ENGINE = 32;
    private static final int KERNEL_EPOCH = 40;
    private static final int FRAMES = 48;
    private static final int DRAWS = 56;
    private static final int DROPPED = 64;
    private static final int VALUE_BYTES = 72;
    /** The per-CPU decision a filter leaves for tc. */
    private static final int NONE = 0;
    private static final int FORWARD = 1;
    private static final int DROP = 2;
    private static final int ENGINE = 3;
    private static final int HELPER_MAP_LOOKUP = 1;
    private static final int HELPER_REDIRECT = 23;
    /** tcx verdicts: on to whatever comes next on the device's ingress (the stack), drop. */
    private static final int TCX_NEXT = -1;
    private static final int TCX_DROP = 2;
    /** {@code struct __sk_buff}'s first field, the frame's length, which both program types may read. */
    private static final int SKB_LEN = 0;
    /** What a socket filter returns to keep a frame whole (bytes to keep). */
    private static final int KEEP_ALL = Integer.MAX_VALUE;
    /** {@link java.util.SplittableRandom}'s increment and mixing constants (its {@code mix64}). */
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    private static final long MIX1 = 0xbf58476d1ce4e5b9L;
    private static final long MIX2 = 0x94d049bb133111ebL;
    private static final VarHandle WORD = ValueLayout.JAVA_LONG.varHandle();

    private final int stateMap;
    private final int decisionMap;
    private final int filter;
    private final int ingress;
    private final MemorySegment state;
    private int tcxLink = -1;
    private boolean closed;
    /** Raised at every request for the kernel path, so that the filter tells a drain finished for an older one. */
    private long epoch;
    private boolean kernelRequested;

    private KernelPath(int stateMap, int decisionMap, int filter, int ingress, MemorySegment state) {
        this.stateMap = stateMap;
        this.decisionMap = decisionMap;
        this.filter = filter;
        this.ingress = ingress;
        this.state = state;
    }

    /**
     * The maps and programs for a direction leaving through the device {@code outIfindex} (in the namespace where
     * {@link #attachIngress} will run), drawing loss from {@code seed}. Starts on the engine's path.
     */
    static KernelPath create(String name, long seed, int outIfindex) {
        if (outIfindex <= 0) {
            throw new IllegalArgumentException("no device to forward " + name + " to");
        }
        int stateMap = -1;
        int decisionMap = -1;
        int filter = -1;
        MemorySegment state = null;
        try {
            stateMap = BpfCalls.createArrayMap(BpfCalls.MAP_TYPE_ARRAY, VALUE_BYTES, true, name);
            decisionMap = BpfCalls.createArrayMap(BpfCalls.MAP_TYPE_PERCPU_ARRAY, 8, false, name);
            state = BpfCalls.mapValues(stateMap, VALUE_BYTES);
            state.set(ValueLayout.JAVA_LONG, SEED, seed);
            filter = BpfCalls.loadProgram(BpfCalls.PROG_TYPE_SOCKET_FILTER, filterCode(stateMap, decisionMap),
                    name);
            int ingress = BpfCalls.loadProgram(BpfCalls.PROG_TYPE_SCHED_CLS, ingressCode(decisionMap, outIfindex),
                    name);
            return new KernelPath(stateMap, decisionMap, filter, ingress, state);
        } catch (RuntimeException e) {
            if (state != null) {
                BpfCalls.unmap(state);
            }
            try {
                closeAll(filter, decisionMap, stateMap);
            } catch (RuntimeException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
    }

    /** The socket filter, for {@code SO_ATTACH_BPF} on the engine's receive socket of this direction. */
    int filterFd() {
        return filter;
    }

    /** Attaches the tc side to the in-device {@code ifindex}; call in the device's network namespace. */
    void attachIngress(int ifindex, String device) {
        tcxLink = BpfCalls.attachTcxIngress(ingress, ifindex, device);
    }

    /**
     * Asks for the kernel path, losing {@code lossFraction} of the frames; it starts once the engine is done
     * with every frame it was given ({@link #engineDone}). The engine tells how many it is done with now, or -1
     * while it still holds some.
     */
    void requestKernel(double lossFraction, long engineDoneNow) {
        setLoss(lossFraction);
        WORD.setVolatile(state, (long) ENGINE_DONE, engineDoneNow);
        epoch++;
        kernelRequested = true;
        WORD.setVolatile(state, (long) CONTROL, epoch << 1 | 1);
    }

    /** A new loss for the kernel path, taking effect at once. */
    void setLoss(double lossFraction) {
        long threshold = lossFraction <= 0 ? 0 : (long) Math.ceil(Math.min(1, lossFraction) * 0x1p53);
        WORD.setVolatile(state, (long) THRESHOLD, threshold);
    }

    /** Frames go to the engine again, from the next one on. */
    void requestEngine() {
        kernelRequested = false;
        WORD.setVolatile(state, (long) CONTROL, epoch << 1);
    }

    boolean kernelRequested() {
        return kernelRequested;
    }

    /** Whether the kernel path is requested and has started (the engine's drain is over). */
    boolean inKernel() {
        return kernelRequested && (long) WORD.getVolatile(state, (long) KERNEL_EPOCH) == epoch;
    }

    /** The engine has sent or dropped all of the first {@code frames} frames the filter gave it. */
    void engineDone(long frames) {
        WORD.setVolatile(state, (long) ENGINE_DONE, frames);
    }

    /** Frames the filter has given the engine so far. */
    long toEngine() {
        return (long) WORD.getVolatile(state, (long) TO_ENGINE);
    }

    /** Frames that took the kernel path so far, forwarded or lost. */
    long frames() {
        return (long) WORD.getVolatile(state, (long) FRAMES);
    }

    /** Frames the kernel path lost so far. */
    long dropped() {
        return (long) WORD.getVolatile(state, (long) DROPPED);
    }

    /** Detaches and frees everything; a second call does nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        BpfCalls.unmap(state);
        closeAll(tcxLink, ingress, filter, decisionMap, stateMap);
    }

    /** Closes each descriptor that is open (not -1), all of them even when one fails. */
    private static void closeAll(int... fds) {
        RuntimeException first = null;
        for (int fd : fds) {
            if (fd < 0) {
                continue;
            }
            try {
                NativeCalls.close(fd);
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * The socket filter: r9 the frame, r6 the shared words, r7 this CPU's decision slot. The kernel path is taken
     * when it is requested and either already started for this request or the engine is done with all it was
     * given (then it starts, for every later frame). A loss draw is SplittableRandom's: mix64(seed + (n + 1) *
     * gamma), lost when its top 53 bits are below the threshold (as {@code nextDouble() < loss}). The decision
     * goes to the slot as {@code length << 8 | decision}.
     */
    static byte[] filterCode(int stateMap, int decisionMap) {
        BpfAssembler a = new BpfAssembler();
        a.aluReg(Op.MOV, R9, R1);
        lookupKeyZero(a, stateMap).jump(Cond.EQ, R0, 0, "keep").aluReg(Op.MOV, R6, R0);
        lookupKeyZero(a, decisionMap).jump(Cond.EQ, R0, 0, "keep").aluReg(Op.MOV, R7, R0);
        a.load(R1, R6, CONTROL).aluReg(Op.MOV, R2, R1).alu(Op.AND, R2, 1).jump(Cond.EQ, R2, 0, "engine");
        a.alu(Op.RSH, R1, 1).load(R2, R6, KERNEL_EPOCH).jumpReg(Cond.EQ, R1, R2, "kernel");
        a.load(R2, R6, TO_ENGINE).load(R3, R6, ENGINE_DONE).jumpReg(Cond.NE, R2, R3, "engine");
        a.store(R6, KERNEL_EPOCH, R1);
        a.label("kernel").alu(Op.MOV, R1, 1).atomicAdd(R6, FRAMES, R1);
        a.load(R2, R6, THRESHOLD).jump(Cond.EQ, R2, 0, "forward");
        a.alu(Op.MOV, R1, 1).atomicFetchAdd(R6, DRAWS, R1).alu(Op.ADD, R1, 1);
        a.loadConstant(R3, GOLDEN_GAMMA).aluReg(Op.MUL, R1, R3).load(R3, R6, SEED).aluReg(Op.ADD, R1, R3);
        a.aluReg(Op.MOV, R3, R1).alu(Op.RSH, R3, 30).aluReg(Op.XOR, R1, R3).loadConstant(R3, MIX1)
                .aluReg(Op.MUL, R1, R3);
        a.aluReg(Op.MOV, R3, R1).alu(Op.RSH, R3, 27).aluReg(Op.XOR, R1, R3).loadConstant(R3, MIX2)
                .aluReg(Op.MUL, R1, R3);
        a.aluReg(Op.MOV, R3, R1).alu(Op.RSH, R3, 31).aluReg(Op.XOR, R1, R3).alu(Op.RSH, R1, 11);
        a.jumpReg(Cond.GE, R1, R2, "forward");
        a.alu(Op.MOV, R1, 1).atomicAdd(R6, DROPPED, R1);
        a.alu(Op.MOV, R2, DROP).jump(Cond.ALWAYS, 0, 0, "decided");
        a.label("forward").alu(Op.MOV, R2, FORWARD).jump(Cond.ALWAYS, 0, 0, "decided");
        a.label("engine").alu(Op.MOV, R1, 1).atomicAdd(R6, TO_ENGINE, R1).alu(Op.MOV, R2, ENGINE);
        a.label("decided").loadInt(R1, R9, SKB_LEN).alu(Op.LSH, R1, 8).aluReg(Op.OR, R1, R2).store(R7, 0, R1);
        a.jump(Cond.EQ, R2, ENGINE, "keep").alu(Op.MOV, R0, 0).exit();
        a.label("keep").alu(Op.MOV, R0, KEEP_ALL).exit();
        return a.assemble();
    }

    /**
     * The tc ingress program: carries out (and clears) this CPU's decision when it was made for a frame of this
     * length; otherwise (none, or the engine's) hands the frame on to what follows.
     */
    static byte[] ingressCode(int decisionMap, int outIfindex) {
        BpfAssembler a = new BpfAssembler();
        a.aluReg(Op.MOV, R9, R1);
        lookupKeyZero(a, decisionMap).jump(Cond.EQ, R0, 0, "next");
        a.load(R1, R0, 0).alu(Op.MOV, R2, NONE).store(R0, 0, R2);
        a.aluReg(Op.MOV, R2, R1).alu(Op.AND, R2, 0xff).alu(Op.RSH, R1, 8);
        a.loadInt(R3, R9, SKB_LEN).jumpReg(Cond.NE, R1, R3, "next");
        a.jump(Cond.EQ, R2, FORWARD, "forward").jump(Cond.EQ, R2, DROP, "drop");
        a.label("next").alu(Op.MOV, R0, TCX_NEXT).exit();
        a.label("drop").alu(Op.MOV, R0, TCX_DROP).exit();
        a.label("forward").alu(Op.MOV, R1, outIfindex).alu(Op.MOV, R2, 0).call(HELPER_REDIRECT).exit();
        return a.assemble();
    }

    /** r0 = the address of {@code map}'s value under key 0 (or 0), the key on the stack. */
    private static BpfAssembler lookupKeyZero(BpfAssembler a, int map) {
        return a.storeInt(R10, -4, 0).aluReg(Op.MOV, R2, R10).alu(Op.ADD, R2, -4).loadMap(R1, map)
                .call(HELPER_MAP_LOOKUP);
    }
}
