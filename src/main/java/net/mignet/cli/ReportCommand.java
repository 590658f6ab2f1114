package net.mignet.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import net.mignet.report.ReportPage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Make report.html again from the CSV files of a results directory (e.g. after editing them).")
final class ReportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "a results directory, e.g. mignet-results/<id>")
    Path directory;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(directory)) {
            throw new IllegalArgumentException(directory + " is not a directory; give a results directory, e.g."
                    + " mignet-results/<emulation-id>");
        }
        System.out.println("*** Report: " + ReportPage.write(directory).toAbsolutePath().normalize());
        return 0;
    }
}
