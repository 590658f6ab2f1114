package net.mignet.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** criu's RPC messages as protobuf writes them, checked against bytes worked out by hand from rpc.proto. */
class CriuRpcMessageTest {
    @Test
    void a_request_is_written_as_protobuf_does() {
        byte[] req = new CriuRpcMessage.Writer().varint(1, CriuRpcMessage.RESTORE)
                .message(2, new CriuRpcMessage.Writer().varint(1, 300).bool(26, true).string(10, "r.log"))
                .toByteArray();
        // type=2; opts (13 bytes): images_dir_fd=300 (ac 02), rst_sibling (field 26: tag d0 01), log_file "r.log".
        assertThat(HexFormat.of().formatHex(req)).isEqualTo("0802" + "120d" + "08ac02" + "d00101" + "5205722e6c6f67");
    }

    @Test
    void an_answer_gives_success_and_the_restored_pid_or_the_error() {
        // type=RESTORE, success=true, restore { pid = 4242 (92 21) }, unknown fields skipped: dump { restored =
        // false } and status=0.
        byte[] ok = HexFormat.of().parseHex("0802" + "1001" + "1a020800" + "2203089221" + "5800");
        CriuRpcMessage.Response r = CriuRpcMessage.Response.parse(ok);
        assertThat(r.success()).isTrue();
        assertThat(r.restoredPid()).contains(4242);

        // success=false, cr_errno=2, cr_errmsg "no images".
        byte[] failed = HexFormat.of().parseHex("0802" + "1000" + "3802" + "4a096e6f20696d61676573");
        CriuRpcMessage.Response f = CriuRpcMessage.Response.parse(failed);
        assertThat(f.success()).isFalse();
        assertThat(f.restoredPid()).isEmpty();
        assertThat(f.errno()).isEqualTo(2);
        assertThat(f.errorMessage()).isEqualTo("no images");
    }
}
