package dev.outpost.server.jobs.handlers;

import dev.outpost.server.computer.ComputerReports;
import dev.outpost.server.jobs.JobContext;
import dev.outpost.server.jobs.JobHandler;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * GenerateUsgReportActivity: a CSV and a JSON report of the latest {@code usg-audit} each chosen
 * computer sent (all of the account's when {@code computer_ids} is absent). The result text holds
 * the URLs the admin API serves them at.
 */
public final class UsgReportHandler implements JobHandler {

  /** The report files of an activity, as the admin API finds them. */
  public static Path reportFile(Path storage, long accountId, long activityId, String extension) {
    return storage
        .resolve("reports")
        .resolve(Long.toString(accountId))
        .resolve(activityId + "." + extension);
  }

  private final ComputerReports reports;

  /** Creates the handler over the computers' reports. */
  public UsgReportHandler(ComputerReports reports) {
    this.reports = reports;
  }

  @Override
  public Future<String> run(JobContext context) {
    JsonArray chosen = context.job().parameters().getJsonArray("computer_ids");
    Optional<List<Long>> ids =
        Optional.ofNullable(chosen)
            .map(list -> list.stream().map(id -> ((Number) id).longValue()).toList());
    return reports
        .latestUsgAudits(context.job().accountId(), ids)
        .map(
            audits -> {
              StringBuilder csv =
                  new StringBuilder("computer_id,title,received_at,profile,rule,result\n");
              JsonArray json = new JsonArray();
              for (ComputerReports.Report report : audits) {
                JsonObject audit = report.body();
                String receivedAt = report.receivedAt().toString();
                json.add(
                    new JsonObject()
                        .put("computer_id", report.computerId())
                        .put("title", report.title())
                        .put("received_at", receivedAt)
                        .put("audit", audit));
                for (Object item : audit.getJsonArray("results", new JsonArray())) {
                  JsonObject result = item instanceof JsonObject o ? o : new JsonObject();
                  csv.append(
                          String.join(
                              ",",
                              List.of(
                                  Long.toString(report.computerId()),
                                  cell(report.title()),
                                  receivedAt,
                                  cell(audit.getString("profile", "")),
                                  cell(result.getString("rule", "")),
                                  cell(result.getString("result", "")))))
                      .append('\n');
                }
              }
              long activity = context.job().activityId();
              write(
                  reportFile(context.storage(), context.job().accountId(), activity, "csv"),
                  csv.toString());
              write(
                  reportFile(context.storage(), context.job().accountId(), activity, "json"),
                  json.encodePrettily());
              return "report of "
                  + audits.size()
                  + " computers: /api/v2/reports/"
                  + activity
                  + ".csv "
                  + "/api/v2/reports/"
                  + activity
                  + ".json";
            });
  }

  /** A CSV cell, quoted when it must be, and never starting a formula in a spreadsheet. */
  static String cell(String value) {
    String safe =
        value.startsWith("=")
                || value.startsWith("+")
                || value.startsWith("-")
                || value.startsWith("@")
            ? "'" + value
            : value;
    return safe.contains(",") || safe.contains("\"") || safe.contains("\n")
        ? "\"" + safe.replace("\"", "\"\"") + "\""
        : safe;
  }

  private static void write(Path file, String content) {
    try {
      Files.createDirectories(file.getParent());
      Path temp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(temp, content, StandardCharsets.UTF_8);
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot write " + file, e);
    }
  }
}
