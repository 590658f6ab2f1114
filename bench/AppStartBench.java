// Start-up time of built-in Java apps on an emulated host: from deploy to the app's first output line, with
// mignet's launch options (C1 only, small heap, a class-data-sharing archive made on first use) against a plain
// `java -cp` of the same class, in the same run.
//
//     sudo bench/run AppStartBench [runs]

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import net.mignet.app.App;
import net.mignet.app.AppManager;
import net.mignet.app.JavaLauncher;
import net.mignet.apps.CounterService;
import net.mignet.net.Emulation;
import net.mignet.topo.TopologyGenerators;

void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    String java = ProcessHandle.current().info().command().orElseThrow();
    String cp = System.getProperty("java.class.path");
    List<String> serviceArgs = List.of("--listen", "10.0.0.1:8888", "--handover-port", "9999");
    try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2")); AppManager apps = new AppManager(net)) {
        List<String> tuned = JavaLauncher.argv(CounterService.class, serviceArgs);
        List<String> plain = new ArrayList<>(List.of(java, "-cp", cp, CounterService.class.getName()));
        plain.addAll(serviceArgs);
        timeStart(apps, net, tuned); // the first start writes the archive; it is not counted
        List<Double> tunedMs = new ArrayList<>();
        List<Double> plainMs = new ArrayList<>();
        for (int i = 0; i < runs; i++) { // interleaved, so both see the same machine
            tunedMs.add(timeStart(apps, net, tuned));
            plainMs.add(timeStart(apps, net, plain));
        }
        double t = median(tunedMs);
        double p = median(plainMs);
        System.out.printf(Locale.ROOT, "%nbuilt-in app start (deploy -> serving), median of %d:%n", runs);
        System.out.printf(Locale.ROOT, "  mignet launcher (CDS, C1):  %7.1f ms%n", t);
        System.out.printf(Locale.ROOT, "  plain java -cp:             %7.1f ms%n", p);
        System.out.printf(Locale.ROOT, "  ratio mignet / plain:       %7.2f%n", t / p);
    }
}

double timeStart(AppManager apps, Emulation net, List<String> argv) throws Exception {
    long t0 = System.nanoTime();
    App app = apps.deploy("svc", net.host("h1"), argv);
    if (app.log().await(l -> l.text().startsWith("@mignet event=serving"), Duration.ofSeconds(30)).isEmpty()) {
        throw new IllegalStateException("service did not start: " + app.log().lines());
    }
    double ms = (System.nanoTime() - t0) / 1e6;
    apps.remove("svc");
    return ms;
}

double median(List<Double> values) {
    return values.stream().sorted().toList().get(values.size() / 2);
}
