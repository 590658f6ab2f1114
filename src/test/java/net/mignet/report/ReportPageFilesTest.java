package net.mignet.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mignet report DIR} on files a user edited: what is wrong with them, by file and column. */
class ReportPageFilesTest {
    @TempDir
    Path dir;

    private void copyDemo() throws IOException {
        for (String file : List.of(ResultsFiles.MIGRATIONS, ResultsFiles.REQUESTS)) {
            try (InputStream in = getClass().getResourceAsStream("/net/mignet/report/demo/" + file)) {
                Files.copy(in, dir.resolve(file));
            }
        }
    }

    /** The file with column {@code name} removed from the header and every row. */
    private void dropColumn(String file, String name) throws IOException {
        Path path = dir.resolve(file);
        CsvTable table = CsvTable.read(path);
        List<String> header = table.header().stream().filter(c -> !c.equals(name)).toList();
        StringBuilder out = new StringBuilder(String.join(",", header)).append('\n');
        for (var row : table.rows()) {
            out.append(String.join(",", header.stream().map(c -> quote(row.get(c))).toList())).append('\n');
        }
        Files.writeString(path, out);
    }

    private static String quote(String v) {
        return v == null ? "" : "\"" + v.replace("\"", "\"\"") + "\"";
    }

    @Test
    void the_demo_files_make_a_page() throws IOException {
        copyDemo();
        assertThat(ReportPage.write(dir)).exists();
    }

    @Test
    void events_of_an_older_recorder_without_starting_links_make_a_page_with_the_links_that_changed()
            throws IOException {
        copyDemo();
        // Before every link had a link-initial line: only impaired ones did, and this lab had none.
        Files.writeString(dir.resolve(ResultsFiles.EVENTS), """
                {"time":"2026-11-30T05:59:59.500000000Z","kind":"emulation","id":"old-1","topology":"t","hosts":"h1"}
                {"time":"2026-11-30T06:00:03.000000000Z","kind":"link-set","a":"h1","b":"s1","a_to_b":"delay=20ms","b_to_a":"delay=20ms"}
                """);
        String html = Files.readString(ReportPage.write(dir));
        assertThat(html).contains("<title>mignet run old-1 \u2014 topology t</title>");
        assertThat(html).contains("\"initial\":[{\"network\":1,\"a\":\"h1\",\"b\":\"s1\",\"a_to_b\":null");
    }

    @Test
    void results_without_events_have_no_links_and_are_titled_by_their_directory() throws IOException {
        copyDemo();
        String html = Files.readString(ReportPage.write(dir));
        assertThat(html).contains("<title>mignet results: " + dir.getFileName() + "</title>", "\"links\":null");
    }

    @Test
    void a_column_the_page_is_made_from_is_named_when_an_edit_removed_it() throws IOException {
        copyDemo();
        dropColumn(ResultsFiles.MIGRATIONS, "started");
        assertThatThrownBy(() -> ReportPage.write(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(ResultsFiles.MIGRATIONS + " lacks the column(s) started");
    }

    @Test
    void a_time_that_does_not_read_is_named_with_the_form_it_should_have() throws IOException {
        copyDemo();
        Path path = dir.resolve(ResultsFiles.MIGRATIONS);
        List<String> lines = Files.readAllLines(path);
        String broken = lines.get(1).replaceFirst("\\d{4}-\\d\\d-\\d\\dT[^,\"]*Z", "yesterday");
        Files.write(path, List.of(lines.get(0), broken));
        assertThatThrownBy(() -> ReportPage.write(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("times are RFC 3339");
    }
}
