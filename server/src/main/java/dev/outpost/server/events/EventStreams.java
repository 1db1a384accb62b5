package dev.outpost.server.events;

import dev.outpost.common.error.OutpostException;
import dev.outpost.server.activity.ActivityQuery;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This instance's event streams: Server-Sent Events responses, each read from the event log after
 * its own position whenever the one listening connection of the instance hears of new events (and
 * once when it starts listening again, for notices it may have missed). Bounded in streams per
 * instance and per account; a client that reads slower than events come is cut off once its
 * response's write queue is full, and resumes from its last event id.
 */
public final class EventStreams {

  /**
   * The bounds of streams.
   *
   * @param maxStreams streams this instance serves at once
   * @param maxPerAccount streams one account may hold open on this instance
   * @param keepalive how often an idle stream is sent a comment, so proxies and the idle timeout
   *     keep it open
   * @param bufferBytes bytes written to a stream and not yet taken by its client, at most
   */
  public record Settings(int maxStreams, int maxPerAccount, Duration keepalive, int bufferBytes) {}

  /** Events read from the log per statement. */
  static final int BATCH = 500;

  /**
   * How soon a stream reads again when events after its position wait behind a transaction still
   * running: that transaction's end sends no notice unless it logged events itself.
   */
  private static final long HELD_BACK_MILLIS = 200;

  private static final long RETRY_MILLIS = 1_000;

  /**
   * How long a notice waits for others: under a stream of transitions (every exchange batch logs
   * some) a stream reads once for many notices.
   */
  private static final long NOTICE_DELAY_MILLIS = 50;

  private static final Logger LOG = LoggerFactory.getLogger(EventStreams.class);

  private final Pool pool;
  private final Vertx vertx;
  private final Settings settings;
  private final Counter streamed;
  private final Set<Stream> open = ConcurrentHashMap.newKeySet();

  private final AtomicBoolean soon = new AtomicBoolean();

  /** Streams open or starting, in all and per account; guarded by this. */
  private int places;

  private final Map<Long, Integer> perAccount = new HashMap<>();

  /** Streams reading through the shared pool, counting the events they send. */
  public EventStreams(Vertx vertx, Pool pool, Settings settings, Counter streamed) {
    this.vertx = vertx;
    this.pool = pool;
    this.settings = settings;
    this.streamed = streamed;
  }

  /**
   * New events were logged: every stream reads on, within {@value #NOTICE_DELAY_MILLIS} ms, once
   * for all the notices that come meanwhile.
   */
  public void notified() {
    if (soon.compareAndSet(false, true)) {
      vertx.setTimer(
          NOTICE_DELAY_MILLIS,
          t -> {
            soon.set(false);
            open.forEach(Stream::wake);
          });
    }
  }

  /** Notices reach this instance again (or stopped): streams read what they may have missed. */
  public void listening(boolean listening) {
    if (listening) {
      notified();
    }
  }

  /**
   * Answers the response as a stream of the account's events the query (checked for events)
   * selects, after {@code after} or, without one, from now on.
   *
   * @throws OutpostException 503 when the instance serves all the streams it may, 429 when the
   *     account holds all it may
   */
  public Future<Void> stream(
      HttpServerResponse response, long accountId, ActivityQuery query, Optional<Position> after) {
    reserve(accountId);
    Context context = vertx.getOrCreateContext();
    Future<Position> start =
        after.map(Future::succeededFuture).orElseGet(() -> EventLog.head(pool));
    return start
        .onFailure(e -> release(accountId))
        .map(
            position -> {
              Stream stream = new Stream(context, response, accountId, query, position);
              context.runOnContext(v -> stream.begin());
              return null;
            });
  }

  /** Takes a place for a stream of the account, or refuses by the bound it would pass. */
  private synchronized void reserve(long accountId) {
    if (places >= settings.maxStreams()) {
      throw OutpostException.busy(
          "this server serves " + settings.maxStreams() + " event streams, the most it may", 5);
    }
    if (perAccount.getOrDefault(accountId, 0) >= settings.maxPerAccount()) {
      throw OutpostException.tooManyRequests(
          "the account holds "
              + settings.maxPerAccount()
              + " event streams open on this server, the most it may",
          5);
    }
    places++;
    perAccount.merge(accountId, 1, Integer::sum);
  }

  private synchronized void release(long accountId) {
    places--;
    perAccount.computeIfPresent(accountId, (account, n) -> n == 1 ? null : n - 1);
  }

  /** One client's stream; its state is touched on its response's context only. */
  private final class Stream {

    private final Context context;
    private final HttpServerResponse response;
    private final long accountId;
    private final ActivityQuery query;
    private Position position;
    private boolean reading;
    private boolean again;
    private boolean closed;
    private long keepalive = -1;

    Stream(
        Context context,
        HttpServerResponse response,
        long accountId,
        ActivityQuery query,
        Position position) {
      this.context = context;
      this.response = response;
      this.accountId = accountId;
      this.query = query;
      this.position = position;
    }

    void begin() {
      if (response.closed()) {
        release(accountId); // the client left while its start was read
        return;
      }
      open.add(this);
      response
          .setStatusCode(200)
          .setChunked(true)
          .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
          // compressed, a stream would sit in the compressor's buffer
          .putHeader(HttpHeaders.CONTENT_ENCODING, HttpHeaders.IDENTITY)
          .setWriteQueueMaxSize(settings.bufferBytes())
          .closeHandler(v -> end())
          .exceptionHandler(e -> end());
      response.write(": events after " + position + "\n\n");
      keepalive = vertx.setPeriodic(settings.keepalive().toMillis(), t -> send(":\n\n"));
      read();
    }

    void wake() {
      context.runOnContext(v -> read());
    }

    private void read() {
      if (closed) {
        return;
      }
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      again = false;
      EventLog.read(pool, position, accountId, query, BATCH)
          .onComplete(
              done -> {
                reading = false;
                if (done.failed()) {
                  LOG.warn("event stream read failed [cause: {}]", done.cause().getMessage());
                  vertx.setTimer(RETRY_MILLIS, t -> read());
                  return;
                }
                EventLog.Batch batch = done.result();
                for (EventLog.Event event : batch.matched()) {
                  if (!send(sse(event))) {
                    return;
                  }
                  streamed.increment();
                }
                position = batch.last();
                if (batch.more() || again) {
                  read();
                } else if (batch.heldBack()) {
                  vertx.setTimer(HELD_BACK_MILLIS, t -> read());
                }
              });
    }

    /**
     * Writes, unless the stream has ended; a client that has left a full write queue unread is cut
     * off instead.
     *
     * @return whether the text was written
     */
    private boolean send(String text) {
      if (closed) {
        return false;
      }
      if (response.writeQueueFull()) {
        LOG.info("event stream cut off: its client reads too slowly [account: {}]", accountId);
        end();
        response.reset();
        return false;
      }
      response.write(text);
      return true;
    }

    private void end() {
      if (closed) {
        return;
      }
      closed = true;
      vertx.cancelTimer(keepalive);
      open.remove(this);
      release(accountId);
    }
  }

  /** An event as SSE: its position as the id, its name as the event type, its JSON as data. */
  static String sse(EventLog.Event event) {
    return "id: "
        + event.position()
        + "\nevent: "
        + event.name()
        + "\ndata: "
        + event.body().encode()
        + "\n\n";
  }
}
