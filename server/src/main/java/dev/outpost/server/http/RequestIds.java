package dev.outpost.server.http;

import dev.outpost.server.log.Mdc;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Gives every HTTP request an id: the {@code X-Request-Id} a proxy in front set, when it is a plain
 * token of at most 64 characters, else one made here. The response carries it back in the same
 * header, and the log lines about the request carry it in the MDC ({@link Mdc#REQUEST}): it is
 * bound to the request's Vert.x context, so the lines of the handlers' asynchronous continuations
 * (after a database call, on whichever thread) carry it as well as those of their synchronous
 * parts.
 */
public final class RequestIds {

  /** The header, both ways. */
  public static final String HEADER = "X-Request-Id";

  private static final String KEY = "outpost.request-id";
  private static final Pattern ACCEPTED = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

  private RequestIds() {}

  /** Adds the route that gives each request its id; mount it before any other. */
  public static void mount(Router router) {
    router.route().handler(RequestIds::assign);
  }

  /** The request's id, or "-" for a request that passed no {@link #mount}ed router. */
  public static String of(RoutingContext ctx) {
    String id = ctx.get(KEY);
    return id == null ? "-" : id;
  }

  private static void assign(RoutingContext ctx) {
    String given = ctx.request().getHeader(HEADER);
    String id =
        given != null && ACCEPTED.matcher(given).matches()
            ? given
            : Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    ctx.put(KEY, id);
    ctx.response().putHeader(HEADER, id);
    Mdc.bind(Mdc.REQUEST, id);
    try (var mdc = Mdc.request(id)) {
      ctx.next();
    }
  }
}
