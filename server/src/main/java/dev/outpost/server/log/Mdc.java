package dev.outpost.server.log;

import org.slf4j.MDC;

/**
 * The MDC's keys and how they are set: around the log calls that concern a request, a computer or
 * an activity, and taken out after them. Handlers hop between threads (a Vert.x event loop serves
 * many requests, a reply arrives on whichever thread), so a value left in a thread's MDC would mark
 * another request's lines; set around the call, it marks exactly its own. Text logs show them after
 * the message, JSON logs under {@code mdc}.
 *
 * <pre>{@code
 * try (var mdc = Mdc.computer(id)) {
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
