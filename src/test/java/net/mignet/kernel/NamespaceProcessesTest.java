package net.mignet.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NamespaceProcessesTest {
    private static final List<String> OURS = List.of("mn-1-h1", "mn-1-h2");

    @Test
    void a_process_about_to_enter_one_of_our_namespaces_is_recognized() {
        assertThat(NamespaceProcesses.namespaceBeingEntered(
                new String[] {"ip", "netns", "exec", "mn-1-h1", "sleep", "1"}, OURS)).isEqualTo("mn-1-h1");
        assertThat(NamespaceProcesses.namespaceBeingEntered(
                new String[] {"nsenter", "--net=/run/netns/mn-1-h2", "--", "sleep", "1"}, OURS)).isEqualTo("mn-1-h2");
        assertThat(NamespaceProcesses.namespaceBeingEntered(
                new String[] {"/usr/bin/nsenter", "--net=/run/netns/mn-1-h2", "--", "x"}, OURS)).isEqualTo("mn-1-h2");
    }

    @Test
    void others_are_not() {
        assertThat(NamespaceProcesses.namespaceBeingEntered(
                new String[] {"nsenter", "--net=/run/netns/other", "--", "sleep"}, OURS)).isNull();
        assertThat(NamespaceProcesses.namespaceBeingEntered(
                new String[] {"nsenter", "--", "prog", "--net=/run/netns/mn-1-h1"}, OURS)).isNull();
        assertThat(NamespaceProcesses.namespaceBeingEntered(new String[] {"sleep", "mn-1-h1"}, OURS)).isNull();
    }
}
