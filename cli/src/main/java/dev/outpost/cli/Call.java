package dev.outpost.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** A command that calls the API: the connection's options, output, and errors as exit status. */
abstract class Call implements Callable<Integer> {

  /** The options every calling command takes. */
  static final class Connection {
    @Option(
        names = "--url",
        paramLabel = "URL",
        description = "the server, e.g. http://127.0.0.1:8080 (else OUTPOST_URL, the config file)")
    String url;

    @Option(
        names = "--token",
        paramLabel = "TOKEN",
        description = "an admin token (else OUTPOST_TOKEN, the config file)")
    String token;

    @Option(
        names = "--config",
        paramLabel = "FILE",
        description = "the config file (else OUTPOST_CLI_CONFIG, ~/.config/outpost/cli.conf)")
    Path config;

    @Option(names = "--json", description = "print the API's JSON, for programs")
    boolean json;
  }

  @Spec CommandSpec spec;

  @Mixin Connection connection;

  private Api api;

  @Override
  public final Integer call() {
    try {
      return run();
    } catch (Api.Failure failure) {
      err().println("outpost: " + failure.getMessage());
      return Outpost.REFUSED;
    }
  }

  /** Does the work; the exit status. */
  abstract int run();

  Api api() {
    if (api == null) {
      Outpost root = (Outpost) spec.root().userObject();
      Settings settings =
          Settings.resolve(connection.url, connection.token, connection.config, root.env);
      api = new Api(settings.url(), settings.token());
    }
    return api;
  }

  boolean json() {
    return connection.json;
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  /** Answers with the API's JSON under {@code --json}, else as {@code forPeople} prints it. */
  int answer(JsonNode node, Runnable forPeople) {
    if (json()) {
      printJson(node);
    } else {
      forPeople.run();
    }
    return Outpost.OK;
  }

  /** Prints JSON as the API answered it, indented. */
  void printJson(JsonNode node) {
    try {
      out().println(Api.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A field's text, empty for null or missing; control characters shown as spaces. */
  static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? "" : Table.clean(value.asText(), false);
  }

  /** {@code [a, b]} of a JSON array of texts. */
  static String list(JsonNode array) {
    List<String> items = new ArrayList<>();
    if (array != null) {
      array.forEach(item -> items.add(Table.clean(item.asText(), false)));
    }
    return String.join(",", items);
  }

  /** Prints a JSON object's fields as {@code name: value} lines, the given ones first. */
  void printFields(JsonNode node, String... skip) {
    List<String> skipped = List.of(skip);
    int width = 0;
    for (var names = node.fieldNames(); names.hasNext(); ) {
      width = Math.max(width, names.next().length());
    }
    for (var fields = node.fields(); fields.hasNext(); ) {
      var field = fields.next();
      if (skipped.contains(field.getKey())) {
        continue;
      }
      JsonNode value = field.getValue();
      String shown =
          value.isNull()
              ? "-"
              : value.isValueNode() ? Table.clean(value.asText(), true) : value.toString();
      if (shown.contains("\n")) {
        out().printf("%-" + width + "s:%n", field.getKey());
        shown.lines().forEach(line -> out().println("    " + line));
      } else {
        out().printf("%-" + width + "s: %s%n", field.getKey(), shown);
      }
    }
  }
}
