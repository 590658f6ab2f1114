package net.mignet.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvWriterTest {

    @Test
    void plain_fields_are_written_as_they_are_and_every_row_ends_in_a_newline() {
        assertThat(CsvWriter.line(List.of("a", "b", "12.5"))).isEqualTo("a,b,12.5\n");
        assertThat(CsvWriter.line(List.of("only"))).isEqualTo("only\n");
    }

    @Test
    void commas_and_quotes_are_quoted_with_quotes_doubled() {
        assertThat(CsvWriter.line(List.of("a,b", "say \"hi\"", "x"))).isEqualTo("\"a,b\",\"say \"\"hi\"\"\",x\n");
    }

    @Test
    void line_breaks_inside_a_field_become_blanks_so_a_row_is_one_line() {
        String line = CsvWriter.line(List.of("one\ntwo", "three\r\nfour", "five\rsix"));
        assertThat(line).isEqualTo("one two,three four,five six\n");
        assertThat(line.chars().filter(c -> c == '\n' || c == '\r')).hasSize(1);
    }

    @Test
    void null_is_empty_and_edge_blanks_are_kept_by_quoting() {
        assertThat(CsvWriter.line(Arrays.asList(null, " padded ", ""))).isEqualTo(",\" padded \",\n");
    }

    @Test
    void rows_go_out_as_written_header_first_and_read_back_equal() {
        StringWriter out = new StringWriter();
        CsvWriter csv = new CsvWriter(out);
        csv.row(List.of("name", "note", "ms"));
        csv.row(List.of("h2", "a, \"quoted\" note", "1.500"));
        csv.row(List.of("h3", "multi\nline", ""));
        String text = out.toString();
        assertThat(text).startsWith("name,note,ms\n").endsWith("\n");
        assertThat(text.lines()).hasSize(3);

        CsvTable table = CsvTable.parse(text, "test");
        assertThat(table.header()).containsExactly("name", "note", "ms");
        assertThat(table.rows()).hasSize(2);
        assertThat(table.rows().get(0)).containsEntry("note", "a, \"quoted\" note").containsEntry("ms", "1.500");
        assertThat(table.rows().get(1)).containsEntry("note", "multi line").containsEntry("ms", "");
    }

    @Test
    void a_row_with_the_wrong_number_of_fields_is_refused_with_its_number() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CsvTable.parse("a,b\n1,2\n3\n", "f.csv"))
                .hasMessageContaining("f.csv: row 3 has 1 fields, the header 2");
    }
}
