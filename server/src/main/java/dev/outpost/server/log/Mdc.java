package dev.outpost.server.log;

import dev.outpost.common.log.ContextMdc;
import dev.outpost.common.log.ContextValues;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.MDC;

/**
 * The MDC's keys and the two ways they are set. Handlers hop between threads (a Vert.x event loop
 * serves many requests, a reply arrives on whichever thread), so a value left in a thread's MDC
 * would mark another request's lines. A value that holds for all the work of a request or a job is
 * bound to its Vert.x context ({@link #bind}, {@link #within}), and marks every line logged there,
 * in asynchronous continuations too ({@link ContextMdc} puts it in the MDC as each line is logged);
 * a value that holds for one call among many (one computer of a batch of exchanges) is set around
 * the call and taken out after it. Text logs show them after the message, JSON logs under {@code
 * mdc}.
 *
 * <pre>{@code
 * Mdc.bind(Mdc.REQUEST, id);            // the rest of the request's lines
 * try (var mdc = Mdc.computer(id)) {    // this line only
 *   LOG.warn("...");
 * }
 * }</pre>
 */
public final class Mdc {

  /** The id of the HTTP request (also its {@code X-Request-Id} response header). */
  public static final String REQUEST = "request_id";

  /** The id of the computer concerned. */
  public static final String COMPUTER = "computer_id";

  /** The id of the activity concerned. */
  public static final String ACTIVITY = "activity_id";

  private Mdc() {}

  /**
   * Binds a value to the current context, when it is one of a single piece of work (a duplicate: a
   * request's, or one {@link #within} made): every line logged on it from now on carries it. On an
   * event loop's own context, shared by all it serves, or on none, it binds nothing.
   */
  public static void bind(String key, String value) {
    if (Vertx.currentContext() instanceof ContextInternal context && context.isDuplicate()) {
      ContextValues.bind(context, key, value);
    }
  }

  /**
   * Starts {@code work} on a context of its own, a duplicate of the current one holding its values
   * and {@code key}'s: every line logged by the work and its continuations carries them. The future
   * returned completes back on the current context, whose lines do not. Off a Vert.x context it
   * just starts the work.
   */
  public static <T> Future<T> within(String key, String value, Supplier<Future<T>> work) {
    return ContextValues.within(Map.of(key, value), work);
  }

  /** Puts the request's id in the MDC until closed. */
  public static MDC.MDCCloseable request(String id) {
    return MDC.putCloseable(REQUEST, id);
  }

  /** Puts the computer's id in the MDC until closed. */
  public static MDC.MDCCloseable computer(long id) {
    return MDC.putCloseable(COMPUTER, Long.toString(id));
  }

  /** Puts the activity's id in the MDC until closed. */
  public static MDC.MDCCloseable activity(long id) {
    return MDC.putCloseable(ACTIVITY, Long.toString(id));
  }
}
