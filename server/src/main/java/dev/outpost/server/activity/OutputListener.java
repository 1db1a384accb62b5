package dev.outpost.server.activity;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells this server's followers of activities' output when it grew or the activity ended, whichever
 * instance stored it: it listens on {@link ActivityOutput#CHANNEL} on a connection of its own.
 * While that connection is down nothing is told; once it is back every follower is told to look
 * again, for what it missed.
 */
public final class OutputListener {

  private static final long RETRY_MILLIS = 1_000;
  private static final Logger LOG = LoggerFactory.getLogger(OutputListener.class);

  private final Vertx vertx;
  private final PgConnectOptions db;
  private final Map<Long, Set<Runnable>> followers = new ConcurrentHashMap<>();
  private volatile boolean closed;
  private volatile PgConnection connection;

  private OutputListener(Vertx vertx, PgConnectOptions db) {
    this.vertx = vertx;
    this.db = db;
  }

  /** Starts listening; a failed attempt is retried. */
  public static Future<OutputListener> start(Vertx vertx, PgConnectOptions db) {
    OutputListener listener = new OutputListener(vertx, db);
    return listener.listen().otherwiseEmpty().map(listener);
  }

  /**
   * Runs {@code changed} whenever the activity's output may have changed, until the returned handle
   * is run. It runs on the listener's context: a follower hands the work to its own.
   */
  public Runnable follow(long activityId, Runnable changed) {
    followers.computeIfAbsent(activityId, id -> ConcurrentHashMap.newKeySet()).add(changed);
    return () ->
        followers.computeIfPresent(
            activityId,
            (id, set) -> {
              set.remove(changed);
              return set.isEmpty() ? null : set;
            });
  }

  /** Stops listening. */
  public Future<Void> close() {
    closed = true;
    PgConnection conn = connection;
    return conn == null ? Future.succeededFuture() : conn.close();
  }

  private Future<Void> listen() {
    return PgConnection.connect(vertx, db)
        .compose(
            conn ->
                conn.query("LISTEN " + ActivityOutput.CHANNEL)
                    .execute()
                    .onFailure(e -> conn.close())
                    .map(
                        listening -> {
                          conn.notificationHandler(notice -> changed(notice.getPayload()));
                          conn.closeHandler(v -> lost());
                          return conn;
                        }))
        .onSuccess(
            conn -> {
              connection = conn;
              if (closed) {
                conn.close();
              } else {
                // what was stored while nobody listened
                followers.values().forEach(set -> List.copyOf(set).forEach(Runnable::run));
              }
            })
        .onFailure(
            e -> {
              LOG.warn("cannot listen for activity output, retrying [cause: {}]", e.getMessage());
              retry();
            })
        .mapEmpty();
  }

  private void changed(String payload) {
    try {
      Set<Runnable> set = followers.get(Long.parseLong(payload));
      if (set != null) {
        List.copyOf(set).forEach(Runnable::run);
      }
    } catch (NumberFormatException e) {
      LOG.warn("activity output notice without an activity id ignored [payload: {}]", payload);
    }
  }

  private void lost() {
    connection = null;
    if (!closed) {
      LOG.warn("lost the connection listening for activity output, reconnecting");
      retry();
    }
  }

  private void retry() {
    if (!closed) {
      vertx.setTimer(
          RETRY_MILLIS,
          t -> {
            if (!closed) {
              listen();
            }
          });
    }
  }
}
