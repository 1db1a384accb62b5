package dev.outpost.server.api;

import dev.outpost.common.error.OutpostException;
import dev.outpost.server.activity.ActivityOutput;
import dev.outpost.server.activity.OutputListener;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An activity's output while it runs: read from an offset as JSON, or followed as Server-Sent
 * Events until the activity ends. A follower reads again whenever {@link OutputListener} says the
 * output changed (PostgreSQL's NOTIFY, from whichever instance stored it), and every {@link
 * #KEEPALIVE} besides, when it also sends a comment that keeps proxies from closing the stream.
 * Followers are counted per server instance and bounded.
 */
public final class OutputApi {

  private static final Logger LOG = LoggerFactory.getLogger(OutputApi.class);

  /** How often a follower's stream carries a comment when nothing else happened. */
  static final Duration KEEPALIVE = Duration.ofSeconds(15);

  private final ActivityOutput output;
  private final OutputListener listener;
  private final int maxFollowers;
  private final AtomicInteger followers = new AtomicInteger();

  /** Reads through {@code output}; at most {@code maxFollowers} follow at once. */
  public OutputApi(ActivityOutput output, OutputListener listener, int maxFollowers) {
    this.output = output;
    this.listener = listener;
    this.maxFollowers = maxFollowers;
  }

  /** Answers the output from {@code offset} on, as far as it is stored. */
  void read(RoutingContext ctx, long id, long offset) {
    output
        .read(id, offset)
        .onSuccess(
            slice ->
                ctx.response()
                    .putHeader("Content-Type", "application/json")
                    .end(slice(slice).toBuffer()))
        .onFailure(ctx::fail);
  }

  /** Streams the output from {@code offset} on as events, until the activity ends. */
  void follow(RoutingContext ctx, long id, long offset) {
    if (followers.incrementAndGet() > maxFollowers) {
      followers.decrementAndGet();
      ctx.fail(
          OutpostException.busy(
              "already "
                  + maxFollowers
                  + " clients follow output on this server (OUTPOST_OUTPUT_FOLLOWERS)",
              5));
      return;
    }
    HttpServerResponse response = ctx.response();
    response
        .setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no");
    new Follower(ctx.vertx(), response, id, offset).begin();
  }

  private static JsonObject slice(ActivityOutput.Slice slice) {
    return new JsonObject()
        .put("offset", slice.offset())
        .put("text", slice.text())
        .put("next_offset", slice.nextOffset())
        .put("complete", slice.complete())
        .put("truncated", slice.truncated());
  }

  /**
   * One client following one activity. Everything it does runs on its connection's context, one
   * read at a time; a change told while a read runs makes it read once more after.
   */
  private final class Follower {
    private final Vertx vertx;
    private final Context context;
    private final HttpServerResponse response;
    private final long id;
    private long offset;
    private boolean reading;
    private boolean again;
    private boolean ended;
    private Runnable unfollow = () -> {};
    private long keepalive = -1;

    Follower(Vertx vertx, HttpServerResponse response, long id, long offset) {
      this.vertx = vertx;
      this.context = vertx.getOrCreateContext();
      this.response = response;
      this.id = id;
      this.offset = offset;
    }

    void begin() {
      response.closeHandler(v -> end());
      unfollow = listener.follow(id, () -> context.runOnContext(v -> read()));
      keepalive =
          vertx.setPeriodic(
              KEEPALIVE.toMillis(),
              t -> {
                if (!ended) {
                  response.write(": keepalive\n\n");
                  read();
                }
              });
      response.write(": following activity " + id + "\n\n");
      read();
    }

    private void read() {
      if (ended) {
        return;
      }
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      output
          .read(id, offset)
          .onComplete(
              done -> {
                reading = false;
                if (done.failed()) {
                  LOG.warn(
                      "output of a followed activity not read [id: {}, problem: {}]",
                      id,
                      done.cause().getMessage());
                } else {
                  send(done.result());
                }
                if (again) {
                  again = false;
                  read();
                }
              });
    }

    private void send(ActivityOutput.Slice slice) {
      if (ended) {
        return;
      }
      if (!slice.text().isEmpty()) {
        response.write(event("output", slice.nextOffset(), slice(slice)));
        offset = slice.nextOffset();
      }
      if (slice.complete()) {
        response.end(event("end", slice.nextOffset(), slice(slice).put("text", "")));
        end();
      }
    }

    private void end() {
      if (!ended) {
        ended = true;
        vertx.cancelTimer(keepalive);
        unfollow.run();
        followers.decrementAndGet();
      }
    }
  }

  /** An event whose id is where a client reconnecting with {@code Last-Event-ID} resumes. */
  private static String event(String name, long resumeAt, JsonObject data) {
    return "event: " + name + "\nid: " + resumeAt + "\ndata: " + data.encode() + "\n\n";
  }
}
