package net.mignet.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.mignet.testing.KernelAssumptions;
import org.junit.jupiter.api.Test;

/** Words reach ip -batch as one quoted argument each, and a failure names what the command was building. */
class IpBatchTest {

    @Test
    void words_that_would_escape_their_quotes_or_cut_the_line_are_refused() {
        for (String bad : new String[] {"a\"b", "a#b", "a\nb", "", "a\u0000b"}) {
            assertThatThrownBy(() -> IpBatch.ip().add("link", "show", "dev", bad))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot be passed to ip");
        }
    }

    /** Only reads: asks the root namespace about devices that do not exist. */
    @Test
    void a_failure_names_the_subject_and_what_to_change() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("ip");
        IpBatch batch = IpBatch.ip().add("link", "show", "dev", "lo")
                .addFor("link 2 h1:a b <-> s1:x (t.yaml:9)", "link", "show", "dev", "mignet no such");
        assertThatThrownBy(batch::run).isInstanceOf(CommandException.class)
                .hasMessageStartingWith("cannot build link 2 h1:a b <-> s1:x (t.yaml:9): ip refused 'link show dev"
                        + " mignet no such': ")
                // One argument with a space in it: quoting kept it whole.
                .hasMessageContaining("\"mignet no such\" does not exist")
                .hasMessageEndingWith("; change link 2 h1:a b <-> s1:x (t.yaml:9) in the topology (its names,"
                        + " addresses or parameters) and try again");
    }
}
