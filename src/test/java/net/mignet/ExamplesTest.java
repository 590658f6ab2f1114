package net.mignet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java programs under examples/ and bench/ compile against the current API, so the README's commands work. */
class ExamplesTest {

    @Test
    void java_examples_and_benchmarks_compile(@TempDir Path out) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        for (Path dir : List.of(Path.of("examples"), Path.of("bench"))) {
            List<Path> sources;
            try (var files = Files.list(dir)) {
                sources = files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
            }
            for (Path source : sources) {
                StringWriter errors = new StringWriter();
                boolean ok = javac.getTask(errors, null, null, List.of("-d", out.toString(), "-cp",
                        System.getProperty("java.class.path"), "-proc:none"), null,
                        javac.getStandardFileManager(null, null, null).getJavaFileObjects(source)).call();
                assertThat(ok).as(source + ":\n" + errors).isTrue();
            }
        }
    }
}
