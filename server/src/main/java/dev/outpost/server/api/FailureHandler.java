package dev.outpost.server.api;

import dev.outpost.common.error.OutpostException;
import dev.outpost.server.db.TimedReads;
import dev.outpost.server.http.RequestIds;
import dev.outpost.server.log.Mdc;
import io.vertx.core.Handler;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place failures become HTTP answers: {@code {"error": code, "message": text}}. */
public final class FailureHandler implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(FailureHandler.class);

  /**
   * When a client may try again after the pool's wait queue was full: its waiters are served within
   * milliseconds each, so a second is plenty, and long enough to let the queue drain.
   */
  static final int BUSY_RETRY_AFTER_SECONDS = 1;

  @Override
  public void handle(RoutingContext ctx) {
    try (var mdc = Mdc.request(RequestIds.of(ctx))) {
      respond(ctx);
    }
  }

  private void respond(RoutingContext ctx) {
    OutpostException failure = classify(ctx);
    if (failure.retryAfterSeconds() > 0 || failure.code().equals(TimedReads.TIMEOUT_CODE)) {
      // a load the server sheds on purpose: one line, not a stack trace per refused request
      LOG.warn(
          "request refused [method: {}, path: {}, reason: {}]",
          ctx.request().method(),
          ctx.normalizedPath(),
          failure.code());
    } else if (failure.status() >= 500) {
      LOG.error(
          "request failed [method: {}, path: {}]",
          ctx.request().method(),
          ctx.normalizedPath(),
          ctx.failure());
    }
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    if (failure.retryAfterSeconds() > 0) {
      ctx.response().putHeader("Retry-After", Integer.toString(failure.retryAfterSeconds()));
    }
    ctx.response()
        .setStatusCode(failure.status())
        .putHeader("Content-Type", "application/json")
        .end(
            new JsonObject()
                .put("error", failure.code())
                .put("message", failure.getMessage())
                .encode());
  }

  private static OutpostException classify(RoutingContext ctx) {
    Throwable cause = ctx.failure();
    if (cause instanceof OutpostException known) {
      return known;
    }
    if (cause instanceof DecodeException || cause instanceof ClassCastException) {
      return OutpostException.badRequest(
          "the body is not the JSON expected: " + cause.getMessage());
    }
    if (cause instanceof HttpException http) {
      return fromStatus(http.getStatusCode(), http.getPayload());
    }
    if (cause == null) {
      return fromStatus(ctx.statusCode(), null);
    }
    if (isPoolBusy(cause)) {
      return OutpostException.busy(
          "the server is busy: too many requests already wait for a"
              + " database connection (OUTPOST_DB_MAX_WAIT_QUEUE); try again in "
              + BUSY_RETRY_AFTER_SECONDS
              + " s",
          BUSY_RETRY_AFTER_SECONDS);
    }
    if (isConnectionLoss(cause)) {
      return OutpostException.unavailable("the database does not answer; try again", cause);
    }
    return new OutpostException(500, "internal", "internal error; the server log has the details");
  }

  /** Whether the pool refused to queue one more request for a connection. */
  private static boolean isPoolBusy(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof io.vertx.core.http.ConnectionPoolTooBusyException) {
        return true;
      }
    }
    return false;
  }

  private static boolean isConnectionLoss(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof io.vertx.sqlclient.ClosedConnectionException
          || t instanceof java.net.ConnectException) {
        return true;
      }
    }
    return false;
  }

  private static OutpostException fromStatus(int status, String detail) {
    return switch (status) {
      case 413 -> OutpostException.tooLarge("the body is larger than the server accepts");
      case 404 -> OutpostException.notFound("no such resource");
      case 405 -> new OutpostException(405, "method-not-allowed", "method not allowed here");
      case 401 -> OutpostException.unauthorized(detail != null ? detail : "unauthorized");
      default ->
          status >= 400 && status < 500
              ? new OutpostException(status, "bad-request", detail != null ? detail : "bad request")
              : new OutpostException(
                  500, "internal", "internal error; the server log has the details");
    };
  }
}
