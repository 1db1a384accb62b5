package dev.outpost.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code outpost activities ...}. */
@Command(
    name = "activities",
    description = "List, show, create and act on activities.",
    mixinStandardHelpOptions = true,
    subcommands = {
      ActivitiesCommand.ListActivities.class,
      ActivitiesCommand.Show.class,
      ActivitiesCommand.Events.class,
      ActivitiesCommand.Create.class,
      ActivitiesCommand.Cancel.class,
      ActivitiesCommand.Approve.class,
      ActivitiesCommand.Hold.class,
      ActivitiesCommand.Reapply.class
    })
final class ActivitiesCommand {

  private ActivitiesCommand() {}

  /** Prints a page of activities as a table, with how to get the next. */
  static void printPage(Call call, JsonNode page) {
    Table table = new Table("ID", "TYPE", "STATUS", "COMPUTER", "CREATED", "SUMMARY");
    for (JsonNode a : page.path("results")) {
      table.row(
          text(a, "id"),
          text(a, "type"),
          text(a, "status"),
          a.hasNonNull("computer_id")
              ? text(a, "computer_id")
              : a.has("children_by_status") ? "(group)" : "",
          text(a, "created_at"),
          text(a, "summary"));
    }
    table.print(call.out());
    String count = page.hasNonNull("count") ? " of " + page.get("count").asText() : "";
    call.out().println(page.path("results").size() + count + " shown");
    if (page.hasNonNull("next")) {
      call.out().println("next page: --before " + page.get("next").asText());
    }
  }

  private static String text(JsonNode node, String field) {
    return Call.text(node, field);
  }

  /** Prints one activity: its fields, a group's children counted and listed. */
  static void printActivity(Call call, JsonNode a) {
    call.printFields(a, "children", "children_by_status", "parameters");
    if (a.has("parameters")) {
      call.out().println("parameters: " + Table.clean(a.get("parameters").toString(), false));
    }
    if (a.has("children_by_status")) {
      List<String> counted = new ArrayList<>();
      a.get("children_by_status")
          .fields()
          .forEachRemaining(
              e -> {
                if (e.getValue().asLong() > 0) {
                  counted.add(e.getKey() + " " + e.getValue().asText());
                }
              });
      call.out().println("children: " + String.join(", ", counted));
      Table children = new Table("ID", "COMPUTER", "STATUS", "CODE", "RESULT");
      for (JsonNode child : a.path("children")) {
        children.row(
            text(child, "id"),
            text(child, "computer_id"),
            text(child, "status"),
            text(child, "result_code"),
            text(child, "result_text"));
      }
      children.print(call.out());
    }
  }

  @Command(name = "list", description = "A page of activities, newest first.")
  static final class ListActivities extends Call {
    @Option(
        names = {"-q", "--query"},
        description = "an activity query, e.g. 'status:failed type:ExecuteScriptRequest'")
    String query;

    @Option(names = "--limit", defaultValue = "50", description = "how many (default: 50)")
    int limit;

    @Option(names = "--before", paramLabel = "ID", description = "the page after this id")
    Long before;

    @Option(names = "--parents", description = "groups only")
    boolean parents;

    @Option(names = "--archived", description = "what ArchiveRequest moved away")
    boolean archived;

    @Override
    int run() {
      JsonNode page =
          api()
              .get(
                  parents ? "/activities/parents" : "/activities",
                  Api.params(
                      "query", query,
                      "limit", limit,
                      "before", before,
                      "archived", archived ? true : null));
      return answer(page, () -> printPage(this, page));
    }
  }

  @Command(name = "show", description = "One activity; a group with its children.")
  static final class Show extends Call {
    @Parameters(paramLabel = "ID")
    long id;

    @Override
    int run() {
      JsonNode activity = api().get("/activities/" + id);
      return answer(activity, () -> printActivity(this, activity));
    }
  }

  @Command(name = "events", description = "An activity's transitions, oldest first.")
  static final class Events extends Call {
    @Parameters(paramLabel = "ID")
    long id;

    @Override
    int run() {
      JsonNode events = api().get("/activities/" + id + "/events");
      return answer(
          events,
          () -> {
            Table table = new Table("AT", "FROM", "TO", "ACTOR", "REASON");
            for (JsonNode e : events.path("results")) {
              table.row(
                  text(e, "at"),
                  text(e, "from"),
                  text(e, "to"),
                  text(e, "actor"),
                  text(e, "reason"));
            }
            table.print(out());
          });
    }
  }

  /** Which computers: ids, a query, or all of them (one of the three). */
  static final class Targets {
    @Option(
        names = {"-c", "--computer"},
        paramLabel = "ID",
        split = ",",
        description = "a computer's id (repeat, or comma-separated)")
    List<Long> computers;

    @Option(
        names = {"-q", "--query"},
        description = "the computers a computer query selects, e.g. 'tag:web'")
    String query;

    @Option(names = "--all", description = "every computer")
    boolean all;

    void into(ObjectNode body) {
      if (computers != null) {
        ArrayNode ids = body.putArray("computer_ids");
        computers.forEach(ids::add);
      } else if (query != null) {
        body.put("query", query);
      } else if (all) {
        body.put("all_computers", true);
      }
    }
  }

  /** What every created activity may add: summary, approval, schedule. */
  static final class Options {
    @Option(names = "--summary", description = "a line that says what it is for")
    String summary;

    @Option(names = "--requires-approval", description = "start blocked until approved")
    boolean requiresApproval;

    @Option(
        names = "--deliver-after",
        paramLabel = "TIME",
        description = "ISO-8601, e.g. 2030-01-01T03:00:00Z")
    String deliverAfter;

    @Option(
        names = "--deliver-before",
        paramLabel = "TIME",
        description = "expire if not delivered by then")
    String deliverBefore;

    void into(ObjectNode body) {
      if (summary != null) {
        body.put("summary", summary);
      }
      if (requiresApproval) {
        body.put("requires_approval", true);
      }
      if (deliverAfter != null) {
        body.put("deliver_after", deliverAfter);
      }
      if (deliverBefore != null) {
        body.put("deliver_before", deliverBefore);
      }
    }
  }

  @Command(name = "create", description = "Create an activity (a group for several computers).")
  static final class Create extends Call {
    @Option(
        names = {"-t", "--type"},
        required = true,
        description = "its type, e.g. ExecuteScriptRequest (GET /activity-types lists them)")
    String type;

    @ArgGroup(exclusive = true)
    Targets targets = new Targets();

    @Option(
        names = {"-p", "--param"},
        paramLabel = "NAME=VALUE",
        description =
            "a parameter (repeat); a value that is JSON (a number, true, a list) is taken as such")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(
        names = "--parameters",
        paramLabel = "JSON",
        description = "the parameters as a JSON object")
    String parameters;

    @ArgGroup(exclusive = false)
    Options options = new Options();

    @Override
    int run() {
      ObjectNode body = Api.object().put("type", type);
      targets.into(body);
      ObjectNode given = parameters(parameters, params);
      if (!given.isEmpty()) {
        body.set("parameters", given);
      }
      options.into(body);
      JsonNode created = api().post("/activities", body);
      return answer(created, () -> printActivity(this, created));
    }
  }

  /** Parameters of {@code --parameters JSON} and {@code -p name=value}, the latter winning. */
  static ObjectNode parameters(String json, Map<String, String> params) {
    ObjectNode parameters;
    try {
      JsonNode parsed = json == null ? Api.object() : Api.JSON.readTree(json);
      if (!parsed.isObject()) {
        throw new Api.Failure(0, "--parameters must be a JSON object");
      }
      parameters = (ObjectNode) parsed;
    } catch (IOException e) {
      throw new Api.Failure(0, "--parameters is not JSON: " + e.getMessage());
    }
    for (var param : params.entrySet()) {
      JsonNode value;
      try {
        value = Api.JSON.readTree(param.getValue());
      } catch (IOException e) {
        value = null;
      }
      if (value == null || value.isMissingNode()) {
        parameters.put(param.getKey(), param.getValue());
      } else {
        parameters.set(param.getKey(), value);
      }
    }
    return parameters;
  }

  /** Cancel, approve or hold: by ids, or by query. */
  abstract static class Select extends Call {
    @Parameters(
        paramLabel = "ID",
        arity = "0..*",
        description = "the activities (a group names its children)")
    List<Long> ids;

    @Option(
        names = {"-q", "--query"},
        description = "every activity the query selects, in place of ids")
    String query;

    abstract String action();

    @Override
    int run() {
      if ((ids == null || ids.isEmpty()) == (query == null)) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(), "name the activities: ids, or --query (one of the two)");
      }
      ObjectNode body = Api.object();
      if (query != null) {
        body.put("query", query);
      } else {
        ArrayNode array = body.putArray("ids");
        ids.forEach(array::add);
      }
      JsonNode outcome = api().post("/activities/" + action(), body);
      return answer(
          outcome,
          () -> {
            List<String> applied = new ArrayList<>();
            outcome.path("applied").forEach(id -> applied.add(id.asText()));
            out()
                .println(
                    action()
                        + ": "
                        + applied.size()
                        + (applied.isEmpty() ? "" : " (" + String.join(" ", applied) + ")"));
            for (JsonNode refused : outcome.path("refused")) {
              out().println("refused: " + text(refused, "id") + " " + text(refused, "reason"));
            }
          });
    }
  }

  @Command(name = "cancel", description = "Cancel activities (a running script is stopped).")
  static final class Cancel extends Select {
    @Override
    String action() {
      return "cancel";
    }
  }

  @Command(name = "approve", description = "Approve blocked activities.")
  static final class Approve extends Select {
    @Override
    String action() {
      return "approve";
    }
  }

  @Command(name = "hold", description = "Hold queued activities (back to blocked).")
  static final class Hold extends Select {
    @Override
    String action() {
      return "hold";
    }
  }

  @Command(name = "reapply", description = "Run activities again, as new ones.")
  static final class Reapply extends Call {
    @Parameters(paramLabel = "ID", arity = "1..100")
    List<Long> ids;

    @Option(names = "--failed-only", description = "only where it failed")
    boolean failedOnly;

    @Option(
        names = {"-p", "--param"},
        paramLabel = "NAME=VALUE",
        description = "a secret parameter given again (repeat)")
    Map<String, String> params = new LinkedHashMap<>();

    @Override
    int run() {
      ObjectNode body = Api.object().put("failed_only", failedOnly);
      if (ids.size() == 1) {
        body.put("id", ids.get(0));
      } else {
        ArrayNode array = body.putArray("ids");
        ids.forEach(array::add);
      }
      if (!params.isEmpty()) {
        body.set("parameters", parameters(null, params));
      }
      JsonNode created = api().post("/activities/reapply", body);
      return answer(
          created,
          () -> {
            Table table = new Table("ID", "TYPE", "STATUS", "REAPPLIED FROM");
            for (JsonNode a : created.has("results") ? created.get("results") : List.of(created)) {
              table.row(
                  text(a, "id"), text(a, "type"), text(a, "status"), text(a, "reapplied_from"));
            }
            table.print(out());
          });
    }
  }
}
