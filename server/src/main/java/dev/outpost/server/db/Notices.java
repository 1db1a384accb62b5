package dev.outpost.server.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL's notices to this process, made by any instance: one connection of its own LISTENs on
 * every channel a subscriber names and hands each notice to it. While that connection is down the
 * subscribers are told so (a notice sent meanwhile is lost); it reconnects every {@value
 * #RETRY_MILLIS} ms.
 */
public final class Notices {

  /** What hears one channel. */
  public interface Subscriber {

    /** A notice's payload; called on the listening connection's event loop. */
    void notice(String payload);

    /** Whether notices reach this process: false while the connection is down. */
    void listening(boolean listening);
  }

  private static final long RETRY_MILLIS = 1_000;
  private static final Logger LOG = LoggerFactory.getLogger(Notices.class);

  private final Vertx vertx;
  private final PgConnectOptions db;
  private final Map<String, Subscriber> subscribers;
  private volatile boolean closed;
  private volatile PgConnection connection;

  private Notices(Vertx vertx, PgConnectOptions db, Map<String, Subscriber> subscribers) {
    this.vertx = vertx;
    this.db = db;
    this.subscribers = Map.copyOf(subscribers);
  }

  /**
   * Starts listening on each channel named; the future completes once the first attempt did, so
   * that a server that starts listening is informed from its first request. A failed attempt is
   * retried.
   *
   * @param subscribers by channel name (a plain SQL identifier)
   */
  public static Future<Notices> start(
      Vertx vertx, PgConnectOptions db, Map<String, Subscriber> subscribers) {
    Notices notices = new Notices(vertx, db, subscribers);
    if (subscribers.isEmpty()) {
      return Future.succeededFuture(notices);
    }
    return notices.listen().otherwiseEmpty().map(notices);
  }

  private Future<Void> listen() {
    String statements =
        String.join(";", subscribers.keySet().stream().map(name -> "LISTEN " + name).toList());
    return PgConnection.connect(vertx, db)
        .compose(
            conn ->
                // the handlers go on once listening: a connection closed because LISTEN failed is
                // retried once, below, and not once more as a lost one
                conn.query(statements)
                    .execute()
                    .onFailure(e -> conn.close())
                    .map(
                        listening -> {
                          conn.notificationHandler(
                              notice -> {
                                Subscriber subscriber = subscribers.get(notice.getChannel());
                                if (subscriber != null) {
                                  subscriber.notice(notice.getPayload());
                                }
                              });
                          conn.closeHandler(v -> lost());
                          return conn;
                        }))
        .onSuccess(
            conn -> {
              connection = conn;
              if (closed) {
                conn.close();
              } else {
                subscribers.values().forEach(s -> s.listening(true));
              }
            })
        .onFailure(
            e -> {
              LOG.warn(
                  "cannot listen for notices, retrying [channels: {}, cause: {}]",
                  subscribers.keySet(),
                  e.getMessage());
              retry();
            })
        .mapEmpty();
  }

  private void lost() {
    subscribers.values().forEach(s -> s.listening(false));
    connection = null;
    if (!closed) {
      LOG.warn("lost the connection listening for notices, reconnecting");
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

  /** Stops listening. */
  public Future<Void> close() {
    closed = true;
    subscribers.values().forEach(s -> s.listening(false));
    PgConnection conn = connection;
    return conn == null ? Future.succeededFuture() : conn.close();
  }
}
