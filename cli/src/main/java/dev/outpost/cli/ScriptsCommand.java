package dev.outpost.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code outpost scripts ...}: saved scripts. */
@Command(
    name = "scripts",
    description = "Saved scripts: list, show, create, edit, archive, versions.",
    mixinStandardHelpOptions = true,
    subcommands = {
      ScriptsCommand.ListScripts.class,
      ScriptsCommand.Show.class,
      ScriptsCommand.Create.class,
      ScriptsCommand.Edit.class,
      ScriptsCommand.Archive.class,
      ScriptsCommand.Versions.class
    })
final class ScriptsCommand {

  private ScriptsCommand() {}

  static void printScripts(Call call, JsonNode page) {
    Table table = new Table("ID", "TITLE", "VERSION", "INTERPRETER", "CREATOR", "ARCHIVED");
    for (JsonNode s : page.path("results")) {
      table.row(
          Call.text(s, "id"),
          Call.text(s, "title"),
          Call.text(s, "version"),
          Call.text(s, "interpreter"),
          Call.text(s, "creator"),
          s.path("archived").asBoolean() ? "yes" : "");
    }
    table.print(call.out());
    if (page.hasNonNull("next")) {
      call.out().println("next page: --before " + page.get("next").asText());
    }
  }

  static void printScript(Call call, JsonNode script) {
    call.printFields(script, "code");
    if (script.has("code")) {
      call.out().println("code:");
      Table.clean(script.get("code").asText(), true)
          .lines()
          .forEach(l -> call.out().println("    " + l));
    }
  }

  @Command(name = "list", description = "Saved scripts, newest first.")
  static final class ListScripts extends Call {
    @Mixin SavedPage paging;

    @Override
    int run() {
      JsonNode page = api().get("/scripts", paging.params());
      return answer(page, () -> printScripts(this, page));
    }
  }

  @Command(name = "show", description = "One script with its code.")
  static final class Show extends Call {
    @Parameters(paramLabel = "ID")
    long id;

    @Override
    int run() {
      JsonNode script = api().get("/scripts/" + id);
      return answer(script, () -> printScript(this, script));
    }
  }

  /** The fields a script is made of; those not given stay as they are. */
  abstract static class Draft extends Call {
    @Option(names = "--title")
    String title;

    @Option(
        names = {"-f", "--file"},
        paramLabel = "FILE",
        description = "its code, from a file")
    Path file;

    @Option(names = "--code", description = "its code")
    String code;

    @Option(names = "--interpreter", description = "else the #! line")
    String interpreter;

    @Option(names = {"-u", "--username"})
    String username;

    @Option(names = "--time-limit", paramLabel = "SECONDS")
    Integer timeLimit;

    ObjectNode body() {
      ObjectNode body = Api.object();
      if (title != null) {
        body.put("title", title);
      }
      if (file != null) {
        try {
          body.put("code", Files.readString(file));
        } catch (IOException e) {
          throw new Api.Failure(0, "cannot read " + file + ": " + e.getMessage());
        }
      } else if (code != null) {
        body.put("code", code);
      }
      if (interpreter != null) {
        body.put("interpreter", interpreter);
      }
      if (username != null) {
        body.put("username", username);
      }
      if (timeLimit != null) {
        body.put("time_limit", timeLimit);
      }
      return body;
    }

    int show(JsonNode script) {
      return answer(script, () -> printScript(this, script));
    }
  }

  @Command(name = "create", description = "Save a script: version 1.")
  static final class Create extends Draft {
    @Override
    int run() {
      return show(api().post("/scripts", body()));
    }
  }

  @Command(name = "edit", description = "Change a script: a new version when its code changes.")
  static final class Edit extends Draft {
    @Parameters(paramLabel = "ID")
    long id;

    @Override
    int run() {
      return show(api().patch("/scripts/" + id, body()));
    }
  }

  @Command(name = "archive", description = "Archive a script.")
  static final class Archive extends Call {
    @Parameters(paramLabel = "ID")
    long id;

    @Override
    int run() {
      JsonNode script = api().post("/scripts/" + id + "/archive", Api.object());
      return answer(script, () -> out().println("archived script " + id));
    }
  }

  @Command(name = "versions", description = "A script's versions, newest first.")
  static final class Versions extends Call {
    @Parameters(paramLabel = "ID")
    long id;

    @Override
    int run() {
      JsonNode page = api().get("/scripts/" + id + "/versions");
      return answer(
          page,
          () -> {
            Table table = new Table("VERSION", "INTERPRETER", "CREATOR", "CREATED", "CODE");
            for (JsonNode v : page.path("results")) {
              table.row(
                  text(v, "number"),
                  text(v, "interpreter"),
                  text(v, "creator"),
                  text(v, "created_at"),
                  text(v, "code"));
            }
            table.print(out());
          });
    }
  }
}
