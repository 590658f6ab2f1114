package net.mignet.kernel;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes eBPF instructions for {@link BpfCalls#loadProgram}: the few mignet needs (64-bit arithmetic, loads and
 * stores, atomic adds, conditional jumps to named labels, helper calls). Programs this small are clearer written
 * out than compiled, and need no compiler on the machine.
 */
public final class BpfAssembler {
    private static final int ALU64 = 0x07;
    private static final int JMP = 0x05;
    private static final int LDX_MEM_DW = 0x79;
    private static final int LDX_MEM_W = 0x61;
    private static final int STX_MEM_DW = 0x7b;
    private static final int ST_MEM_W = 0x62;
    private static final int ATOMIC_DW = 0xdb;
    private static final int LD_IMM64 = 0x18;
    private static final int SRC_REG = 0x08;
    private static final int PSEUDO_MAP_FD = 1;

    /** The registers: r0 return value, r1-r5 arguments (clobbered by calls), r6-r9 kept, r10 the frame pointer. */
    public static final int R0 = 0;
    public static final int R1 = 1;
    public static final int R2 = 2;
    public static final int R3 = 3;
    public static final int R6 = 6;
    public static final int R7 = 7;
    public static final int R8 = 8;
    public static final int R9 = 9;
    public static final int R10 = 10;

    /** An ALU operation. */
    public enum Op {
        ADD(0x00), MUL(0x20), OR(0x40), AND(0x50), LSH(0x60), RSH(0x70), XOR(0xa0), MOV(0xb0);

        final int code;

        Op(int code) {
            this.code = code;
        }
    }

    /** A jump condition; unsigned comparisons. */
    public enum Cond {
        ALWAYS(0x00), EQ(0x10), GE(0x30), NE(0x50);

        final int code;

        Cond(int code) {
            this.code = code;
        }
    }

    private record Insn(int code, int dst, int src, int off, int imm, String target) {
    }

    private final List<Insn> insns = new ArrayList<>();
    private final Map<String, Integer> labels = new HashMap<>();

    /** {@code dst op= imm} on 64 bits; the kernel sign-extends {@code imm} (an AND with 0x80000000 keeps the top). */
    public BpfAssembler alu(Op op, int dst, int imm) {
        return add(ALU64 | op.code, dst, 0, 0, imm, null);
    }

    /** {@code dst op= src} on 64 bits. */
    public BpfAssembler aluReg(Op op, int dst, int src) {
        return add(ALU64 | op.code | SRC_REG, dst, src, 0, 0, null);
    }

    /** {@code dst = value}, any 64-bit constant (two instruction slots). */
    public BpfAssembler loadConstant(int dst, long value) {
        add(LD_IMM64, dst, 0, 0, (int) value, null);
        return add(0, 0, 0, 0, (int) (value >>> 32), null);
    }

    /** {@code dst = } the address of map {@code mapFd}, as the helpers take it. */
    public BpfAssembler loadMap(int dst, int mapFd) {
        add(LD_IMM64, dst, PSEUDO_MAP_FD, 0, mapFd, null);
        return add(0, 0, 0, 0, 0, null);
    }

    /** {@code dst = *(u64 *)(src + offset)}. */
    public BpfAssembler load(int dst, int src, int offset) {
        return add(LDX_MEM_DW, dst, src, offset, 0, null);
    }

    /** {@code dst = *(u32 *)(src + offset)}, zero-extended. */
    public BpfAssembler loadInt(int dst, int src, int offset) {
        return add(LDX_MEM_W, dst, src, offset, 0, null);
    }

    /** {@code *(u64 *)(dst + offset) = src}. */
    public BpfAssembler store(int dst, int offset, int src) {
        return add(STX_MEM_DW, dst, src, offset, 0, null);
    }

    /** {@code *(u32 *)(dst + offset) = imm}. */
    public BpfAssembler storeInt(int dst, int offset, int imm) {
        return add(ST_MEM_W, dst, 0, offset, imm, null);
    }

    /** Atomically {@code *(u64 *)(dst + offset) += src}. */
    public BpfAssembler atomicAdd(int dst, int offset, int src) {
        return add(ATOMIC_DW, dst, src, offset, 0x00, null);
    }

    /** Atomically {@code *(u64 *)(dst + offset) += src}, with {@code src} set to the value before. */
    public BpfAssembler atomicFetchAdd(int dst, int offset, int src) {
        return add(ATOMIC_DW, dst, src, offset, 0x01, null);
    }

    /** Jumps to {@code label} when {@code dst cond imm} ({@code imm} sign-extended, compared unsigned). */
    public BpfAssembler jump(Cond cond, int dst, int imm, String label) {
        return add(JMP | cond.code, dst, 0, 0, imm, label);
    }

    /** Jumps to {@code label} when {@code dst cond src}. */
    public BpfAssembler jumpReg(Cond cond, int dst, int src, String label) {
        return add(JMP | cond.code | SRC_REG, dst, src, 0, 0, label);
    }

    public BpfAssembler call(int helper) {
        return add(JMP | 0x80, 0, 0, 0, helper, null);
    }

    public BpfAssembler exit() {
        return add(JMP | 0x90, 0, 0, 0, 0, null);
    }

    /** Names the next instruction. */
    public BpfAssembler label(String name) {
        if (labels.putIfAbsent(name, insns.size()) != null) {
            throw new IllegalArgumentException("label " + name + " defined twice");
        }
        return this;
    }

    /** The instructions, jumps resolved, as the kernel reads them (little-endian). */
    public byte[] assemble() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(insns.size() * 8);
        for (int i = 0; i < insns.size(); i++) {
            Insn in = insns.get(i);
            int off = in.off;
            if (in.target != null) {
                Integer at = labels.get(in.target);
                if (at == null) {
                    throw new IllegalArgumentException("no label " + in.target);
                }
                off = at - (i + 1);
                if (off != (short) off) {
                    throw new IllegalArgumentException("jump to " + in.target + " is too far");
                }
            }
            out.write(in.code);
            out.write(in.src << 4 | in.dst);
            out.write(off & 0xff);
            out.write(off >> 8 & 0xff);
            for (int b = 0; b < 4; b++) {
                out.write(in.imm >>> (8 * b) & 0xff);
            }
        }
        return out.toByteArray();
    }

    private BpfAssembler add(int code, int dst, int src, int off, int imm, String target) {
        if (dst < 0 || dst > R10 || src < 0 || src > R10 || off != (short) off) {
            throw new IllegalArgumentException("no such register or offset: r" + dst + ", r" + src + ", " + off);
        }
        insns.add(new Insn(code, dst, src, off, imm, target));
        return this;
    }
}
