package dev.outpost.agent.exchange;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent's channel to the server: a WebSocket on which the server says {@value #EXCHANGE} when
 * the agent has news waiting, and nothing else. Reopened after it closes or fails to open, after a
 * jittered backoff growing from {@link #RECONNECT}'s minimum to its maximum. Runs on the agent's
 * context; every field is touched only there.
 */
final class Channel {

  /** The one message the server sends on a channel. */
  static final String EXCHANGE = "exchange";

  /** A channel open at least this long was healthy: the next reopening waits the least. */
  static final long HEALTHY_MILLIS = 60_000;

  /**
   * The waits before reopening a channel, after failures in a row (a channel closed before it was
   * healthy counts as one: two agents sharing an identity replace each other's less and less).
   */
  static final Backoff RECONNECT = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(2));

  /** What the agent hears of its channel. */
  interface Events {

    /** The channel opened; {@code again} when one was open before. */
    void up(boolean again);

    /** The channel closed or could not open. */
    void down();

    /** The server says to exchange now. */
    void nudged();
  }

  private static final Logger LOG = LoggerFactory.getLogger(Channel.class);

  private final Vertx vertx;
  private final ServerLink link;
  private final RandomGenerator random;
  private final Events events;

  private String secureId;
  private WebSocket socket;
  private boolean opening;
  private boolean wasUp;
  private int failures;
  private long openedAt;
  private long retryTimer = -1;

  Channel(Vertx vertx, ServerLink link, RandomGenerator random, Events events) {
    this.vertx = vertx;
    this.link = link;
    this.random = random;
    this.events = events;
  }

  /** Keeps the channel of this secure-id open; one of another secure-id is closed first. */
  void open(String secureId) {
    if (Objects.equals(secureId, this.secureId)) {
      return;
    }
    close();
    this.secureId = secureId;
    connect();
  }

  /** Closes the channel and opens none again until told to. */
  void close() {
    secureId = null;
    failures = 0;
    vertx.cancelTimer(retryTimer);
    retryTimer = -1;
    if (socket != null) {
      WebSocket open = socket;
      socket = null;
      open.close();
    }
  }

  private void connect() {
    if (secureId == null || opening || socket != null) {
      return;
    }
    opening = true;
    String asked = secureId;
    link.channel(asked)
        .onComplete(
            done -> {
              opening = false;
              if (done.failed() && done.cause() instanceof TlsFailure) {
                LOG.warn("the channel did not open [problem: {}]", done.cause().getMessage());
                retry();
              } else if (done.failed()) {
                LOG.debug("the channel did not open [problem: {}]", done.cause().getMessage());
                retry();
              } else if (!asked.equals(secureId)) {
                done.result().close(); // closed or replaced meanwhile
                connect();
              } else {
                opened(done.result());
              }
            });
  }

  private void opened(WebSocket opened) {
    socket = opened;
    openedAt = System.nanoTime();
    opened.textMessageHandler(
        text -> {
          if (EXCHANGE.equals(text)) {
            events.nudged();
          }
        });
    opened.exceptionHandler(e -> LOG.debug("channel failed [problem: {}]", e.getMessage()));
    opened.closeHandler(
        v -> {
          if (socket == opened) {
            socket = null;
            if (System.nanoTime() - openedAt >= HEALTHY_MILLIS * 1_000_000) {
              failures = 0;
            }
            LOG.info("the channel closed [code: {}]", opened.closeStatusCode());
            events.down();
            retry();
          }
        });
    LOG.info("the channel is open");
    events.up(wasUp);
    wasUp = true;
  }

  private void retry() {
    if (secureId == null) {
      return;
    }
    failures++;
    retryTimer =
        vertx.setTimer(
            Math.max(1, RECONNECT.delay(failures, random).toMillis()),
            id -> {
              retryTimer = -1;
              connect();
            });
  }
}
