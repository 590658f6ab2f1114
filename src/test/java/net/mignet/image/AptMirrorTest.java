package net.mignet.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AptMirrorTest {

    @Test
    void deb822_gives_the_main_archive_not_the_security_repository() {
        String sources = """
                Types: deb
                URIs: http://security.example.org/debian-security
                Suites: bookworm-security
                Components: main

                Types: deb deb-src
                # a comment
                URIs: http://mirror.example.org/debian
                Suites: bookworm bookworm-updates
                Components: main
                Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
                """;
        assertThat(AptMirror.fromDeb822(sources)).contains("http://mirror.example.org/debian");
    }

    @Test
    void deb822_skips_disabled_and_source_only_stanzas() {
        String sources = """
                Types: deb
                URIs: http://off.example.org/debian
                Suites: bookworm
                Enabled: no

                Types: deb-src
                URIs: http://src.example.org/debian
                Suites: bookworm

                Types: deb
                URIs: http://on.example.org/debian
                Suites: trixie
                """;
        assertThat(AptMirror.fromDeb822(sources)).contains("http://on.example.org/debian");
    }

    @Test
    void classic_lines_with_options_and_comments() {
        String list = """
                # deb http://commented.example.org/debian bookworm main
                deb http://security.example.org/debian-security bookworm-security main
                deb [arch=amd64 signed-by=/usr/share/keyrings/k.gpg] http://mirror.example.org/debian bookworm main
                """;
        assertThat(AptMirror.fromClassic(list)).contains("http://mirror.example.org/debian");
    }

    @Test
    void deb822_files_come_before_classic_ones_and_nothing_found_is_empty(@TempDir Path apt) throws IOException {
        assertThat(AptMirror.find(apt)).isEmpty();
        Files.writeString(apt.resolve("sources.list"), "deb http://classic.example.org/debian bookworm main\n");
        assertThat(AptMirror.find(apt)).contains("http://classic.example.org/debian");
        Files.createDirectories(apt.resolve("sources.list.d"));
        Files.writeString(apt.resolve("sources.list.d/debian.sources"),
                "Types: deb\nURIs: http://deb822.example.org/debian\nSuites: bookworm\n");
        assertThat(AptMirror.find(apt)).contains("http://deb822.example.org/debian");
    }

    @Test
    void this_machine_names_a_mirror() {
        // Where apt is configured at all, a criu root can be built: the mirror comes from apt, never from mignet.
        if (Files.isDirectory(AptMirror.APT_DIR.resolve("sources.list.d"))
                || Files.isRegularFile(AptMirror.APT_DIR.resolve("sources.list"))) {
            assertThat(AptMirror.ofMachine()).isPresent();
        }
    }
}
