package dev.sluice.report;

import dev.sluice.cli.Cli;
import dev.sluice.html.Page;
import dev.sluice.loadgen.Report;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ./sluice report a.json b.json --html out.html}: several load generator reports side by side. */
@Command(name = "report", description = "Overlay load generator JSON reports (loadgen --report): a summary "
    + "table on the terminal, and with --html one offline page with their CDFs and throughput drawn together.")
public final class ReportCommand implements Callable<Integer> {
  /** A run of stages, targets or a sweep: {@code {"schema", "kind", "runs": [report, ...]}}. */
  static final String SERIES_SCHEMA = "sluice.loadgen.series.v1";

  @Spec
  CommandSpec spec;
  @Parameters(paramLabel = "REPORT.json", arity = "1..*", description = "reports written by ./sluice loadgen --report")
  List<Path> files;
  @Option(names = "--html", paramLabel = "FILE", description = "write the overlay page here")
  Path html;
  @Option(names = "--label", paramLabel = "NAME", description = "legend names, in the order of the reports "
      + "(repeatable; default: each file's name without .json)")
  List<String> labels = new ArrayList<>();
  @Option(names = "--title", paramLabel = "TEXT", defaultValue = "Sluice load reports",
      description = "the page's title (default: ${DEFAULT-VALUE})")
  String title;

  public ReportCommand() {
  }

  @Override
  public Integer call() throws IOException {
    if (labels.size() > files.size()) {
      throw Cli.usageError(spec, labels.size() + " labels for " + files.size() + " reports");
    }
    List<Overlay.Run> runs = new ArrayList<>();
    List<Path> sourceOf = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      Path file = files.get(i);
      String label = i < labels.size() ? labels.get(i) : file.getFileName().toString().replaceFirst("\\.json$", "");
      JsonObject json = read(file);
      if (SERIES_SCHEMA.equals(json.getString("schema"))) {
        // stages, several targets or a sweep: each run of the series is drawn as one run
        JsonArray series = json.getJsonArray("runs", new JsonArray());
        for (int r = 0; r < series.size(); r++) {
          JsonObject run = series.getJsonObject(r);
          String name = run.getJsonObject("config", new JsonObject()).getString("label", "run" + (r + 1));
          runs.add(new Overlay.Run(label + " " + name, run));
          sourceOf.add(file);
        }
      } else {
        runs.add(new Overlay.Run(label, json));
        sourceOf.add(file);
      }
    }
    spec.commandLine().getOut().print(Overlay.text(runs));
    if (html != null) {
      Page page = new Page(title).h1(title);
      List<String> sources = new ArrayList<>();
      for (int i = 0; i < runs.size(); i++) {
        JsonObject config = runs.get(i).report().getJsonObject("config", new JsonObject());
        sources.add(runs.get(i).label() + ": " + sourceOf.get(i).getFileName() + " (target "
            + config.getString("target", "?") + ")");
      }
      page.note(String.join(" · ", sources));
      Overlay.sections(page, runs);
      Files.writeString(html, page.render());
      spec.commandLine().getOut().println("HTML page: " + html.toAbsolutePath());
    }
    spec.commandLine().getOut().flush();
    return Cli.EXIT_OK;
  }

  /** A report file, refused in the command line's error shape when it is not one. */
  private JsonObject read(Path file) throws IOException {
    JsonObject report;
    try {
      report = new JsonObject(Files.readString(file));
    } catch (DecodeException e) {
      throw Cli.usageError(spec, file + " is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (!Report.SCHEMA.equals(report.getString("schema")) && !SERIES_SCHEMA.equals(report.getString("schema"))) {
      throw Cli.usageError(spec, file + " is not a load generator report (schema " + report.getValue("schema")
          + ", expected " + Report.SCHEMA + " or " + SERIES_SCHEMA + ")");
    }
    return report;
  }
}
