package dev.outpost.agent.handlers;

import dev.outpost.common.wire.WireMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Answers {@code change-packages} with a {@code change-packages-result}, as the Landscape Client's
 * changer does. By default it simulates, saying what it would have changed; with packages run for
 * real ({@code --enable-package-management}) it runs apt-get and apt-mark on the package names the
 * server sends it (this agent takes no part in the hash-id handshake, so the server sends names).
 */
final class PackageHandler implements Handler {

  static final String TYPE = "change-packages";

  /** A Debian package name, optionally with =version: nothing apt-get would read as an option. */
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9+.:-]*(=[A-Za-z0-9.+:~-]+)?");

  private final Vertx vertx;
  private final boolean real;

  PackageHandler(Vertx vertx, boolean real) {
    this.vertx = vertx;
    this.real = real;
  }

  @Override
  public List<String> types() {
    return List.of(TYPE);
  }

  @Override
  public Future<Map<String, Object>> handle(Operation operation) {
    if (!real) {
      return Future.succeededFuture(
          Replies.changePackages(
              operation.id(),
              Replies.PACKAGES_OK,
              Simulations.describe(operation.type(), operation.message())));
    }
    List<Commands.Command> commands;
    try {
      commands = commands(operation.message());
    } catch (IllegalArgumentException e) {
      return Future.succeededFuture(
          Replies.changePackages(operation.id(), Replies.PACKAGES_ERROR, e.getMessage()));
    }
    return vertx.executeBlocking(() -> runAll(operation.id(), commands), false);
  }

  /** The apt-get and apt-mark commands a change-packages message asks for, in order. */
  static List<Commands.Command> commands(WireMap message) {
    List<Commands.Command> commands = new ArrayList<>();
    List<String> install = names(message, "install");
    if (!install.isEmpty()) {
      commands.add(apt("install", install));
    }
    List<String> upgrade = names(message, "upgrade");
    if (!upgrade.isEmpty()) {
      List<String> argv = new ArrayList<>(List.of("--only-upgrade", "install"));
      argv.addAll(upgrade);
      commands.add(aptGet(argv));
    }
    if (Boolean.TRUE.equals(message.get("upgrade-all"))) {
      commands.add(aptGet(List.of("upgrade")));
    }
    List<String> remove = names(message, "remove");
    if (!remove.isEmpty()) {
      commands.add(apt("remove", remove));
    }
    for (String[] mark : new String[][] {{"hold", "hold"}, {"remove-hold", "unhold"}}) {
      List<String> held = names(message, mark[0]);
      if (!held.isEmpty()) {
        List<String> argv = new ArrayList<>(List.of("apt-mark", mark[1]));
        argv.addAll(held);
        commands.add(new Commands.Command(argv, java.util.Optional.empty()));
      }
    }
    return commands;
  }

  private static Commands.Command apt(String verb, List<String> names) {
    List<String> argv = new ArrayList<>(List.of(verb));
    argv.addAll(names);
    return aptGet(argv);
  }

  private static Commands.Command aptGet(List<String> args) {
    List<String> argv =
        new ArrayList<>(List.of("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "-y", "-q"));
    argv.addAll(args);
    return new Commands.Command(argv, java.util.Optional.empty());
  }

  private static List<String> names(WireMap message, String key) {
    Object value = message.get(key);
    if (!(value instanceof List<?> list)) {
      return List.of();
    }
    List<String> names = new ArrayList<>(list.size());
    for (Object item : list) {
      String name = item instanceof String s ? s : null;
      if (name == null || !NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "'" + key + "' holds " + item + ", which is not a package name this agent takes");
      }
      names.add(name);
    }
    return names;
  }

  private static Map<String, Object> runAll(long operationId, List<Commands.Command> commands)
      throws Exception {
    StringBuilder done = new StringBuilder();
    for (Commands.Command command : commands) {
      Commands.Result result = Commands.run(command);
      done.append(command).append('\n').append(result.output());
      if (!result.ok()) {
        return Replies.changePackages(
            operationId,
            Replies.PACKAGES_ERROR,
            done + command.toString() + " failed (exit " + result.exitCode() + ")");
      }
    }
    return Replies.changePackages(
        operationId,
        Replies.PACKAGES_OK,
        commands.isEmpty() ? "No changes required" : done.toString());
  }
}
