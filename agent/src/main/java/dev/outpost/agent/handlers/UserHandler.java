package dev.outpost.agent.handlers;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;

/**
 * Runs the user and group messages for real with useradd, usermod, userdel, groupadd, gpasswd and
 * chpasswd ({@link UserCommands}). Only when the agent was started with user management enabled;
 * otherwise each fails saying so.
 */
final class UserHandler implements Handler {

  private final Vertx vertx;
  private final boolean enabled;

  UserHandler(Vertx vertx, boolean enabled) {
    this.vertx = vertx;
    this.enabled = enabled;
  }

  @Override
  public List<String> types() {
    return UserCommands.TYPES;
  }

  @Override
  public Future<Map<String, Object>> handle(Operation operation) {
    if (!enabled) {
      return Future.succeededFuture(
          Replies.failed(
              operation.id(),
              "user management is disabled "
                  + "on this agent; start it with --enable-user-management to allow it"));
    }
    List<Commands.Command> commands;
    try {
      commands = UserCommands.of(operation.type(), operation.message());
    } catch (IllegalArgumentException e) {
      return Future.succeededFuture(Replies.failed(operation.id(), e.getMessage()));
    }
    return vertx.executeBlocking(() -> runAll(operation.id(), commands), false);
  }

  private static Map<String, Object> runAll(long operationId, List<Commands.Command> commands)
      throws Exception {
    StringBuilder done = new StringBuilder();
    for (Commands.Command command : commands) {
      Commands.Result result = Commands.run(command);
      if (!result.ok()) {
        return Replies.failed(
            operationId,
            done
                + command.toString()
                + " failed (exit "
                + result.exitCode()
                + "): "
                + result.output().strip());
      }
      done.append(command).append('\n');
    }
    return Replies.succeeded(
        operationId, commands.isEmpty() ? "nothing to change" : done.toString());
  }
}
