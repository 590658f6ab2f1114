package net.mignet.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.mignet.kernel.BpfAssembler.Cond;
import net.mignet.kernel.BpfAssembler.Op;
import org.junit.jupiter.api.Test;

class BpfAssemblerTest {
    @Test
    void instructions_are_encoded_as_the_kernel_reads_them() {
        byte[] code = new BpfAssembler().alu(Op.MOV, BpfAssembler.R0, -2).exit().assemble();
        // mov64 r0, -2: opcode 0xb7, dst 0, imm little-endian; exit: 0x95.
        assertThat(code).containsExactly(0xb7, 0x00, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0x95, 0, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void a_jump_counts_instructions_after_it_and_a_constant_takes_two_slots() {
        byte[] code = new BpfAssembler().jump(Cond.EQ, BpfAssembler.R1, 7, "end")
                .loadConstant(BpfAssembler.R2, 0x1122334455667788L).label("end").exit().assemble();
        assertThat(code).hasSize(4 * 8);
        assertThat(code[0] & 0xff).isEqualTo(0x15); // jeq r1, imm
        assertThat(code[2]).isEqualTo((byte) 2); // over the two slots of the constant
        assertThat(code[8] & 0xff).isEqualTo(0x18);
        assertThat(code[9]).isEqualTo((byte) 2);
        assertThat(code[12] & 0xff).isEqualTo(0x88); // low half first
        assertThat(code[20] & 0xff).isEqualTo(0x44); // high half in the second slot
    }

    @Test
    void a_missing_or_doubled_label_is_refused() {
        assertThatThrownBy(() -> new BpfAssembler().jump(Cond.ALWAYS, 0, 0, "nowhere").assemble())
                .hasMessage("no label nowhere");
        assertThatThrownBy(() -> new BpfAssembler().label("a").label("a")).hasMessage("label a defined twice");
    }
}
