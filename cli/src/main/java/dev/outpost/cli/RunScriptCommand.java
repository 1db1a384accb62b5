package dev.outpost.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code outpost run-script}: a script on computers, and with --wait, how it went on each. */
@Command(
    name = "run-script",
    mixinStandardHelpOptions = true,
    description = {
      "Run a script (a file, inline code, or a saved script) on computers.",
      "With --wait, follow the activity to its end, print each computer's result, and exit 0 when"
          + " every script succeeded, 3 when one failed, 4 when canceled, 5 when --timeout ran out."
    })
final class RunScriptCommand extends Call {

  private static final Set<String> FINAL = Set.of("succeeded", "failed", "canceled");

  /** The most computers whose titles are looked up for the results. */
  private static final int MAX_TITLES = 100;

  /** The script: a file, inline code, or a saved one (one of the three). */
  static final class Source {
    @Option(
        names = {"-f", "--file"},
        paramLabel = "FILE",
        description = "the script's file (its #! line names the interpreter)")
    Path file;

    @Option(names = "--code", paramLabel = "CODE", description = "the script itself")
    String code;

    @Option(
        names = {"-s", "--script"},
        paramLabel = "ID",
        description = "a saved script, by id (its current version)")
    Long scriptId;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  @ArgGroup(exclusive = true, multiplicity = "1", heading = "Targets (one of):%n")
  ActivitiesCommand.Targets targets;

  @Option(names = "--interpreter", description = "e.g. /bin/bash (else the #! line, else /bin/sh)")
  String interpreter;

  @Option(
      names = {"-u", "--username"},
      description = "the user it runs as on the computer")
  String username;

  @Option(names = "--time-limit", paramLabel = "SECONDS", description = "stop it after this long")
  Integer timeLimit;

  @ArgGroup(exclusive = false)
  ActivitiesCommand.Options options = new ActivitiesCommand.Options();

  @Option(
      names = {"-w", "--wait"},
      description = "follow it to its end; the exit status says how it went")
  boolean await;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "0",
      description = "with --wait, give up after this long (0: never)")
  long timeoutSeconds;

  @Option(
      names = "--interval",
      paramLabel = "MILLIS",
      defaultValue = "500",
      hidden = true,
      description = "with --wait, how often to ask")
  long intervalMillis;

  @Override
  int run() {
    ObjectNode parameters = Api.object();
    if (source.scriptId != null) {
      parameters.put("script_id", source.scriptId);
    } else {
      parameters.put("code", source.code != null ? source.code : read(source.file));
    }
    if (interpreter != null) {
      parameters.put("interpreter", interpreter);
    }
    if (username != null) {
      parameters.put("username", username);
    }
    if (timeLimit != null) {
      parameters.put("time_limit", timeLimit);
    }
    ObjectNode body = Api.object().put("type", "ExecuteScriptRequest");
    targets.into(body);
    body.set("parameters", parameters);
    options.into(body);
    JsonNode created = api().post("/activities", body);
    long id = created.get("id").asLong();
    if (!await) {
      return answer(
          created,
          () ->
              out()
                  .println(
                      "activity " + id + ": " + text(created, "status") + targetsShown(created)));
    }
    if (!json()) {
      err().println("activity " + id + ": " + text(created, "status") + targetsShown(created));
    }
    JsonNode last = follow(id, created);
    if (last == null) {
      err().println("outpost: activity " + id + " still runs after " + timeoutSeconds + " s");
      return Outpost.TIMED_OUT;
    }
    if (json()) {
      printJson(last);
    } else {
      printResults(last);
    }
    return switch (text(last, "status")) {
      case "succeeded" -> Outpost.OK;
      case "canceled" -> Outpost.CANCELED;
      default -> Outpost.FAILED;
    };
  }

  private static String targetsShown(JsonNode activity) {
    return activity.has("children")
        ? " (" + activity.get("children").size() + " computers)"
        : " (computer " + text(activity, "computer_id") + ")";
  }

  /** Asks until the activity ends; it as it ended, or null once the timeout ran out. */
  private JsonNode follow(long id, JsonNode created) {
    long deadline =
        timeoutSeconds > 0 ? System.nanoTime() + timeoutSeconds * 1_000_000_000L : Long.MAX_VALUE;
    String shown = text(created, "status");
    JsonNode activity = created;
    while (!FINAL.contains(text(activity, "status"))) {
      if (System.nanoTime() > deadline) {
        return null;
      }
      try {
        Thread.sleep(Math.max(50, intervalMillis));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Api.Failure(0, "interrupted");
      }
      activity = api().get("/activities/" + id);
      String status = text(activity, "status");
      if (!json() && !status.equals(shown)) {
        err().println("activity " + id + ": " + status);
        shown = status;
      }
    }
    return activity;
  }

  /** Each computer's result: its status, result code and output. */
  private void printResults(JsonNode activity) {
    List<JsonNode> each = new java.util.ArrayList<>();
    if (activity.has("children")) {
      activity.get("children").forEach(each::add);
    } else {
      each.add(activity);
    }
    Map<Long, String> titles = new HashMap<>();
    for (JsonNode one : each) {
      long computer = one.path("computer_id").asLong();
      String title =
          each.size() <= MAX_TITLES
              ? titles.computeIfAbsent(computer, this::title)
              : "computer " + computer;
      out()
          .println(
              "== "
                  + title
                  + ": "
                  + text(one, "status")
                  + (one.hasNonNull("result_code")
                      ? " (result code " + text(one, "result_code") + ")"
                      : ""));
      JsonNode result = one.get("result_text");
      if (result != null && !result.isNull() && !result.asText().isEmpty()) {
        Table.clean(result.asText(), true).lines().forEach(line -> out().println("  " + line));
      }
    }
    int total = each.size();
    int shownCount =
        activity.has("children_by_status") ? sum(activity.get("children_by_status")) : 1;
    if (shownCount > total) {
      out()
          .println(
              "("
                  + (shownCount - total)
                  + " more computers: outpost activities list -q parent-id:"
                  + text(activity, "id")
                  + ")");
    }
  }

  private static int sum(JsonNode counts) {
    int sum = 0;
    for (JsonNode count : counts) {
      sum += count.asInt();
    }
    return sum;
  }

  private String title(long computer) {
    try {
      JsonNode found = api().get("/computers/" + computer);
      return text(found, "title") + " (" + computer + ")";
    } catch (Api.Failure gone) {
      return "computer " + computer;
    }
  }

  private static String read(Path file) {
    try {
      return file.toString().equals("-")
          ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
          : Files.readString(file);
    } catch (IOException e) {
      throw new Api.Failure(0, "cannot read " + file + ": " + e.getMessage());
    }
  }
}
