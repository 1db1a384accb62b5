package dev.outpost.server.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Credentials before bodies: a route that needs credentials checks them before its body is read,
 * and only a request they admit has its body read up to the large limit; every other request's body
 * is read up to the small one (see {@code HttpVerticle}). So nobody unauthenticated can make the
 * server buffer or decode a large body.
 */
public final class Gate {

  private static final String ADMITTED = "outpost.admitted";
  private static final String HELD = "outpost.held";

  private Gate() {}

  /**
   * Holds back a request's body while its credentials are looked up: the body handler resumes it. A
   * request without a body is left alone (nothing would resume it).
   */
  public static void hold(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (request.headers().contains(HttpHeaders.CONTENT_LENGTH)
        || request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
      request.pause();
      ctx.put(HELD, Boolean.TRUE);
    }
  }

  /**
   * Refuses a request whose credentials failed. A body held back is never read: the connection
   * closes after the answer, since the body would come before the next request on it.
   */
  public static void refuse(RoutingContext ctx, Throwable failure) {
    if (Boolean.TRUE.equals(ctx.get(HELD))) {
      ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
    }
    ctx.fail(failure);
  }

  /** Lets an authenticated request on, its body to be read up to the large limit. */
  public static void admit(RoutingContext ctx) {
    ctx.put(ADMITTED, Boolean.TRUE);
    ctx.next();
  }

  /** Whether credentials admitted the request. */
  public static boolean admitted(RoutingContext ctx) {
    return Boolean.TRUE.equals(ctx.get(ADMITTED));
  }

  /** The address a request came from, as failed attempts are counted by. */
  public static String source(RoutingContext ctx) {
    return ctx.request().remoteAddress() == null
        ? "unknown"
        : ctx.request().remoteAddress().hostAddress();
  }
}
