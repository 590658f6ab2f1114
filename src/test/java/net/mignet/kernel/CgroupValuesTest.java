package net.mignet.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The v1 and v2 control-file formats mignet writes and reads back. */
class CgroupValuesTest {
    @Test
    void cpu_max_round_trips() {
        assertThat(CgroupValues.cpuMax(0.5)).isEqualTo("50000 100000");
        assertThat(CgroupValues.cpuMax(2)).isEqualTo("200000 100000");
        assertThat(CgroupValues.cpuMax(0)).isEqualTo("max 100000");
        assertThat(CgroupValues.parseCpuMax("50000 100000\n")).isEqualTo(0.5);
        assertThat(CgroupValues.parseCpuMax("max 100000")).isZero();
        // A period other than mignet's (set by someone else) still reads as cores.
        assertThat(CgroupValues.parseCpuMax("25000 50000")).isEqualTo(0.5);
        assertThat(CgroupValues.parseCpuMax(CgroupValues.cpuMax(0.33))).isEqualTo(0.33);
        assertThatThrownBy(() -> CgroupValues.parseCpuMax("50000")).hasMessageContaining("QUOTA PERIOD");
    }

    @Test
    void v1_cfs_and_memory_read_back_unlimited_as_zero() {
        assertThat(CgroupValues.quotaMicros(0)).isEqualTo(-1);
        assertThat(CgroupValues.quotaMicros(0.25)).isEqualTo(25_000);
        assertThat(CgroupValues.parseCfs("-1\n", "100000\n")).isZero();
        assertThat(CgroupValues.parseCfs("150000", "100000")).isEqualTo(1.5);
        assertThat(CgroupValues.parseV1Bytes("9223372036854771712\n")).isZero();
        assertThat(CgroupValues.parseV1Bytes("67108864")).isEqualTo(64L << 20);
    }

    @Test
    void max_files_and_keyed_counters() {
        assertThat(CgroupValues.max(0)).isEqualTo("max");
        assertThat(CgroupValues.max(268435456)).isEqualTo("268435456");
        assertThat(CgroupValues.parseMax("max\n")).isZero();
        assertThat(CgroupValues.parseMax("100\n")).isEqualTo(100);
        String events = """
                low 0
                high 0
                max 17
                oom 2
                oom_kill 1
                oom_group_kill 0
                """;
        assertThat(CgroupValues.keyed(events, "oom_kill")).isEqualTo(1);
        assertThat(CgroupValues.keyed(events, "oom")).isEqualTo(2);
        assertThat(CgroupValues.keyed(events, "oom_group_kill")).isZero();
        String oomControl = "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n";
        assertThat(CgroupValues.keyed(oomControl, "oom_kill")).isEqualTo(3);
        assertThat(CgroupValues.keyed("usage_usec 1234567\nuser_usec 1000000\n", "usage_usec")).isEqualTo(1234567);
        assertThat(CgroupValues.keyed("", "oom_kill")).isZero();
    }
}
