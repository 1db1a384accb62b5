package dev.outpost.agent.handlers;

import io.vertx.core.Future;
import java.util.List;
import java.util.Map;

/**
 * Answers {@code resynchronize} with a {@code resynchronize} carrying the same operation-id, as the
 * Landscape Client does. The agent keeps no reports that the server could want again.
 */
final class ResynchronizeHandler implements Handler {

  @Override
  public List<String> types() {
    return List.of("resynchronize");
  }

  @Override
  public Future<Map<String, Object>> handle(Operation operation) {
    return Future.succeededFuture(Replies.resynchronize(operation.id()));
  }
}
