package dev.outpost.agent.handlers;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;

/**
 * Runs {@code shutdown} (reboot true or false) with the system's {@code shutdown}, a few minutes
 * ahead so that the result reaches the server first, as the Landscape Client does. Only when the
 * agent was started with shutdown enabled; otherwise it fails saying so.
 */
final class ShutdownHandler implements Handler {

  /** Minutes between the answer and the shutdown. */
  static final int DELAY_MINUTES = 4;

  private final Vertx vertx;
  private final boolean enabled;

  ShutdownHandler(Vertx vertx, boolean enabled) {
    this.vertx = vertx;
    this.enabled = enabled;
  }

  @Override
  public List<String> types() {
    return List.of("shutdown");
  }

  @Override
  public Future<Map<String, Object>> handle(Operation operation) {
    if (!enabled) {
      return Future.succeededFuture(
          Replies.failed(
              operation.id(),
              "shutdown is disabled on this agent; start it with --enable-shutdown to allow it"));
    }
    boolean reboot = operation.message().optionalBool("reboot").orElse(false);
    Commands.Command command = command(reboot);
    return vertx
        .executeBlocking(() -> Commands.run(command), false)
        .map(
            result ->
                result.ok()
                    ? Replies.succeeded(
                        operation.id(),
                        "the system will "
                            + (reboot ? "reboot" : "shut down")
                            + " in "
                            + DELAY_MINUTES
                            + " minutes")
                    : Replies.failed(
                        operation.id(), command + " failed: " + result.output().strip()));
  }

  /** The command that shuts the system down or reboots it. */
  static Commands.Command command(boolean reboot) {
    return Commands.Command.of(
        "shutdown",
        reboot ? "-r" : "-h",
        "+" + DELAY_MINUTES,
        "Outpost is " + (reboot ? "rebooting" : "shutting down") + " the system");
  }
}
