package dev.outpost.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code outpost profiles ...}: script profiles, a saved script on a schedule or on enrollment. */
@Command(
    name = "profiles",
    description = "Script profiles: list, show, create, archive, and the activities they made.",
    mixinStandardHelpOptions = true,
    subcommands = {
      ProfilesCommand.ListProfiles.class,
      ProfilesCommand.Show.class,
      ProfilesCommand.Create.class,
      ProfilesCommand.Archive.class,
      ProfilesCommand.Activities.class
    })
final class ProfilesCommand {

  private ProfilesCommand() {}

  static String trigger(JsonNode trigger) {
    return switch (Call.text(trigger, "trigger_type")) {
      case "one_time" -> "at " + Call.text(trigger, "timestamp");
      case "recurring" ->
          "cron '" + Call.text(trigger, "interval") + "' " + Call.text(trigger, "timezone");
      case "event" -> "on " + Call.text(trigger, "event_type");
      default -> Table.clean(trigger.toString(), false);
    };
  }

  static int show(Call call, JsonNode profile) {
    return call.answer(
        profile,
        () -> {
          call.printFields(profile, "trigger");
          call.out().println("trigger: " + trigger(profile.path("trigger")));
        });
  }

  @Command(name = "list", description = "Script profiles, newest first.")
  static final class ListProfiles extends Call {
    @Mixin SavedPage paging;

    @Override
    int run() {
      JsonNode page = api().get("/script-profiles", paging.params());
      return answer(
          page,
          () -> {
            Table table = new Table("ID", "TITLE", "SCRIPT", "TARGETS", "TRIGGER", "NEXT FIRE");
            for (JsonNode p : page.path("results")) {
              String targets =
                  p.path("all_computers").asBoolean()
                      ? "all"
                      : p.hasNonNull("query")
                          ? "query " + text(p, "query")
                          : "tags " + list(p.get("tags"));
              table.row(
                  text(p, "id"),
                  text(p, "title"),
                  text(p, "script_id"),
                  targets,
                  trigger(p.path("trigger")),
                  text(p, "next_fire_at"));
            }
            table.print(out());
            if (page.hasNonNull("next")) {
              out().println("next page: --before " + page.get("next").asText());
            }
          });
    }
  }

  @Command(name = "show", description = "One script profile.")
  static final class Show extends Call {
    @Parameters(paramLabel = "ID")
    long id;

    @Override
    int run() {
      return show(this, api().get("/script-profiles/" + id));
    }
  }

  /** When it fires: once, on a cron schedule, or as computers enroll (one of the three). */
  static final class When {
    @Option(names = "--at", paramLabel = "TIME", description = "once, at this ISO-8601 time")
    String at;

    @Option(
        names = "--cron",
        paramLabel = "EXPR",
        description = "a Unix cron expression, e.g. '0 3 * * *'")
    String cron;

    @Option(names = "--on-enrollment", description = "on each computer that registers and matches")
    boolean onEnrollment;
  }

  /** On which computers: tags, a query, or all (one of the three). */
  static final class Where {
    @Option(
        names = "--tag",
        paramLabel = "TAG",
        split = ",",
        description = "computers with any of these tags")
    List<String> tags;

    @Option(
        names = {"-q", "--query"},
        description = "the computers a computer query selects")
    String query;

    @Option(names = "--all", description = "every computer")
    boolean all;
  }

  @Command(
      name = "create",
      description = "Run a saved script on a schedule, or as computers enroll.")
  static final class Create extends Call {
    @Option(names = "--title", required = true)
    String title;

    @Option(
        names = {"-s", "--script"},
        paramLabel = "ID",
        required = true,
        description = "the saved script")
    long scriptId;

    @ArgGroup(exclusive = true, multiplicity = "1", heading = "When (one of):%n")
    When when;

    @Option(names = "--timezone", description = "of --cron (default: UTC)")
    String timezone;

    @Option(names = "--start-after", paramLabel = "TIME", description = "of --cron: not before")
    String startAfter;

    @ArgGroup(exclusive = true, multiplicity = "1", heading = "Where (one of):%n")
    Where where;

    @Option(names = {"-u", "--username"})
    String username;

    @Option(names = "--time-limit", paramLabel = "SECONDS")
    Integer timeLimit;

    @Override
    int run() {
      ObjectNode body = Api.object().put("title", title).put("script_id", scriptId);
      ObjectNode trigger = body.putObject("trigger");
      if (when.at != null) {
        trigger.put("trigger_type", "one_time").put("timestamp", when.at);
      } else if (when.cron != null) {
        trigger.put("trigger_type", "recurring").put("interval", when.cron);
        if (timezone != null) {
          trigger.put("timezone", timezone);
        }
        if (startAfter != null) {
          trigger.put("start_after", startAfter);
        }
      } else {
        trigger.put("trigger_type", "event").put("event_type", "post_enrollment");
      }
      if (where.tags != null) {
        ArrayNode tags = body.putArray("tags");
        where.tags.forEach(tags::add);
      } else if (where.query != null) {
        body.put("query", where.query);
      } else {
        body.put("all_computers", true);
      }
      if (username != null) {
        body.put("username", username);
      }
      if (timeLimit != null) {
        body.put("time_limit", timeLimit);
      }
      return show(this, api().post("/script-profiles", body));
    }
  }

  @Command(name = "archive", description = "Archive a script profile: it fires no more.")
  static final class Archive extends Call {
    @Parameters(paramLabel = "ID")
    long id;

    @Override
    int run() {
      JsonNode profile = api().post("/script-profiles/" + id + "/archive", Api.object());
      return answer(profile, () -> out().println("archived profile " + id));
    }
  }

  @Command(name = "activities", description = "The activities its firings created, newest first.")
  static final class Activities extends Call {
    @Parameters(paramLabel = "ID")
    long id;

    @Option(names = "--limit", defaultValue = "50")
    int limit;

    @Option(names = "--before", paramLabel = "ID")
    Long before;

    @Override
    int run() {
      JsonNode page =
          api()
              .get(
                  "/script-profiles/" + id + "/activities",
                  Api.params("limit", limit, "before", before));
      return answer(page, () -> ActivitiesCommand.printPage(this, page));
    }
  }
}
