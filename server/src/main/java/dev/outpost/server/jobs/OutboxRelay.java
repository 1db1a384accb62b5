package dev.outpost.server.jobs;

import com.rabbitmq.client.AMQP;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.rabbitmq.RabbitMQClient;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes outbox rows to the job queue and deletes them once the broker confirmed them, in the
 * transaction that locked them: a crash before the commit publishes them again (the job-handler
 * drops duplicates), never loses them. Any number of relays may run at once.
 */
public final class OutboxRelay extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
  private static final int BATCH = 500;
  private static final int PASSES = 2;
  private static final long CONFIRM_TIMEOUT_MS = 5000;
  private static final AMQP.BasicProperties PERSISTENT =
      new AMQP.BasicProperties.Builder().deliveryMode(2).contentType("application/json").build();

  private final Pool pool;
  private final String amqpUrl;
  private final String queue;
  private final long intervalMs;
  private volatile RabbitMQClient client;
  private int passes;
  private boolean stopping;

  /** Completed once the last pass under way at a stop has ended. */
  private Promise<Void> idle;

  private long timer;

  /** Creates a relay polling the outbox every {@code intervalMs}. */
  public OutboxRelay(Pool pool, String amqpUrl, String queue, long intervalMs) {
    this.pool = pool;
    this.amqpUrl = amqpUrl;
    this.queue = queue;
    this.intervalMs = intervalMs;
  }

  @Override
  public Future<?> start() {
    return Broker.connect(vertx, amqpUrl, queue, RabbitMQClient::confirmSelect)
        .onSuccess(
            connected -> {
              client = connected;
              timer = vertx.setPeriodic(intervalMs, tick -> relay());
            });
  }

  /** Whether the relay holds a connection to the broker now; safe from any thread. */
  public boolean brokerConnected() {
    RabbitMQClient connected = client;
    return connected != null && connected.isConnected();
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(timer);
    // the passes under way end first: the broker connection and then the pool close after them
    Future<Void> ended =
        passes == 0 ? Future.succeededFuture() : (idle = Promise.promise()).future();
    return ended.compose(done -> client == null ? Future.succeededFuture() : client.stop());
  }

  /**
   * Publishes what the outbox holds, batch after batch, with up to {@link #PASSES} passes under way
   * at once: while one deletes its confirmed rows and commits, the next reads its rows and
   * publishes. (The client runs a channel's calls in order, so a pass's publishes still wait behind
   * the other's wait for confirms.)
   */
  private void relay() {
    if (stopping || passes >= PASSES || !client.isConnected()) {
      return;
    }
    passes++;
    pool.withTransaction(this::publishBatch)
        .onComplete(
            done -> {
              passes--;
              if (stopping) {
                if (passes == 0 && idle != null) {
                  idle.complete();
                }
              } else if (done.failed()) {
                LOG.warn(
                    "outbox relay pass failed, will retry [cause: {}]", done.cause().toString());
              } else if (done.result() == BATCH) {
                relay();
              }
            });
  }

  private Future<Integer> publishBatch(SqlConnection conn) {
    return conn.preparedQuery(
            """
            SELECT id, activity_id FROM outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
            """)
        .execute(Tuple.of(BATCH))
        .compose(
            rows -> {
              if (rows.size() == BATCH) {
                relay(); // more is likely waiting: the next pass takes the rows after these
              }
              return publish(rows)
                  .compose(
                      confirmed ->
                          conn.preparedQuery("DELETE FROM outbox WHERE id = ANY($1)")
                              .execute(Tuple.tuple().addArrayOfLong(ids(rows))))
                  .map(rows.size());
            });
  }

  private Future<Void> publish(RowSet<Row> rows) {
    if (rows.size() == 0) {
      return Future.succeededFuture();
    }
    List<Future<Void>> sent = new ArrayList<>(rows.size());
    for (Row row : rows) {
      Buffer body = new JsonObject().put("activity_id", row.getLong("activity_id")).toBuffer();
      sent.add(client.basicPublish("", queue, PERSISTENT, body));
    }
    return Future.all(sent)
        .compose(all -> client.waitForConfirms(CONFIRM_TIMEOUT_MS))
        .onSuccess(ok -> LOG.debug("outbox relayed [messages: {}]", rows.size()));
  }

  private static Long[] ids(RowSet<Row> rows) {
    Long[] ids = new Long[rows.size()];
    int i = 0;
    for (Row row : rows) {
      ids[i++] = row.getLong("id");
    }
    return ids;
  }
}
