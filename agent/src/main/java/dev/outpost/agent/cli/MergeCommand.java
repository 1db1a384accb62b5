package dev.outpost.agent.cli;

import dev.outpost.agent.simulate.LoadReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code outpost-agent simulate merge FILES...}: one report of several shards' report.json. */
@Command(
    name = "merge",
    mixinStandardHelpOptions = true,
    description =
        "Combines the report.json files of shards of one load test (simulate --shard I/N) into"
            + " one report: counts summed, latency histograms added, seconds lined up by time.")
public final class MergeCommand implements Callable<Integer> {

  @Parameters(paramLabel = "FILES", arity = "1..*", description = "The shards' report.json files.")
  List<Path> files;

  @Option(
      names = "--report",
      paramLabel = "DIR",
      defaultValue = "load-report",
      description =
          "Write report.html, report.json and report.csv here (default: ${DEFAULT-VALUE}).")
  Path reportDir;

  @Override
  public Integer call() {
    List<LoadReport> parts = new ArrayList<>();
    try {
      for (Path file : files) {
        parts.add(LoadReport.read(file));
      }
      Path html = LoadReport.merge(parts).write(reportDir, "report");
      System.out.println("report: " + html.toAbsolutePath());
      return 0;
    } catch (IOException e) {
      System.err.println("simulate merge: " + e.getMessage());
      return 2;
    }
  }
}
