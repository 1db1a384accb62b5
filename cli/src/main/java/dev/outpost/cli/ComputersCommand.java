package dev.outpost.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code outpost computers ...}. */
@Command(
    name = "computers",
    description = "List, show and tag computers.",
    mixinStandardHelpOptions = true,
    subcommands = {
      ComputersCommand.ListComputers.class,
      ComputersCommand.Show.class,
      ComputersCommand.Tag.class
    })
final class ComputersCommand {

  private ComputersCommand() {}

  @Command(name = "list", description = "The computers a query selects, by id.")
  static final class ListComputers extends Call {
    @Option(
        names = {"-q", "--query"},
        description = "a computer query, e.g. 'tag:web OR title:db-*'")
    String query;

    @Option(names = "--limit", defaultValue = "100", description = "how many (default: 100)")
    int limit;

    @Option(names = "--after", paramLabel = "ID", description = "the page after this id")
    Long after;

    @Override
    int run() {
      JsonNode page =
          api().get("/computers", Api.params("query", query, "limit", limit, "after", after));
      return answer(
          page,
          () -> {
            Table table = new Table("ID", "TITLE", "HOSTNAME", "TAGS", "LAST EXCHANGE", "PENDING");
            for (JsonNode c : page.path("results")) {
              table.row(
                  text(c, "id"),
                  text(c, "title"),
                  text(c, "hostname"),
                  list(c.get("tags")),
                  text(c, "last_exchange_at"),
                  text(c, "pending_messages"));
            }
            table.print(out());
            String count = page.hasNonNull("count") ? " of " + page.get("count").asText() : "";
            out().println(page.path("results").size() + count + " shown");
            if (page.hasNonNull("next")) {
              out().println("next page: --after " + page.get("next").asText());
            }
          });
    }
  }

  @Command(name = "show", description = "One computer.")
  static final class Show extends Call {
    @Parameters(paramLabel = "ID")
    long id;

    @Override
    int run() {
      JsonNode computer = api().get("/computers/" + id);
      return answer(computer, () -> printFields(computer));
    }
  }

  @Command(
      name = "tag",
      description = "Add and remove tags on computers: by id, or every one a query selects.")
  static final class Tag extends Call {
    @Parameters(paramLabel = "ID", arity = "0..*", description = "the computers")
    List<Long> ids;

    @Option(
        names = {"-q", "--query"},
        description = "every computer the query selects, in place of ids ('' for all)")
    String query;

    @Option(names = "--add", paramLabel = "TAG", split = ",", description = "tags to add")
    List<String> add = List.of();

    @Option(names = "--remove", paramLabel = "TAG", split = ",", description = "tags to remove")
    List<String> remove = List.of();

    @Override
    int run() {
      if ((ids == null || ids.isEmpty()) == (query == null)) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(), "name the computers: ids, or --query (one of the two)");
      }
      if (add.isEmpty() && remove.isEmpty()) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(), "give --add or --remove");
      }
      String selection =
          query != null
              ? query
              : ids.stream().map(id -> "id:" + id).collect(Collectors.joining(" OR "));
      ObjectNode body = Api.object().put("query", selection);
      ArrayNode added = body.putArray("add");
      add.forEach(added::add);
      ArrayNode removed = body.putArray("remove");
      remove.forEach(removed::add);
      JsonNode done = api().post("/computers/tags", body);
      return answer(
          done,
          () ->
              out()
                  .println(
                      "selected " + text(done, "selected") + ", changed " + text(done, "changed")));
    }
  }
}
