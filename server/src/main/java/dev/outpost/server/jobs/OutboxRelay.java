package dev.outpost.server.jobs;

import com.rabbitmq.client.AMQP;
import dev.outpost.server.activity.StatusSql;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.rabbitmq.RabbitMQClient;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes outbox rows to the job queue, fairly across accounts, and marks them published once the
 * broker confirmed them, in the transaction that locked them: a crash before the commit publishes
 * them again (the job-handler drops duplicates), never loses them. Any number of relays may run at
 * once.
 *
 * <p>Fairness: a published row stays until its activity leaves Queued and In Progress (a trigger
 * deletes it then), so an account's published rows are its jobs in the queue or running. A pass
 * takes the accounts that have rows waiting, those whose oldest row waited longest first, gives
 * each an equal share of the batch within its room (the bound less its published rows), and
 * publishes them in turn, one row of each account after the other. One account's flood therefore
 * fills the queue with at most its bound, and another account's activity is published at the next
 * pass, behind at most that bound of the flood (at most the bound per pass under way, as passes do
 * not see each other's rows before they commit). A published row whose activity is still Queued
 * long after is published again: a message the broker lost cannot hold its account's room for ever.
 */
public final class OutboxRelay extends VerticleBase {

  /** Where a job-handler of this process says jobs ended: the relay may have room again. */
  public static final String JOBS_ENDED = "outpost.jobs.ended";

  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
  private static final int BATCH = 500;
  private static final int PASSES = 2;
  private static final long CONFIRM_TIMEOUT_MS = 5000;
  private static final AMQP.BasicProperties PERSISTENT =
      new AMQP.BasicProperties.Builder().deliveryMode(2).contentType("application/json").build();

  /** How long a published activity may stay Queued before it is published again. */
  static final Duration REPUBLISH_AFTER = Duration.ofMinutes(15);

  /** How often the relay looks for published activities still Queued after that. */
  private static final long REPUBLISH_EVERY_MS = 30_000;

  /**
   * The rows a pass publishes ($1: an account's bound of published rows, $2: the batch), locked.
   * The accounts that wait are found by skipping through the index of waiting rows, one probe per
   * account; each one's published rows are counted through the index of published rows, at most its
   * bound (and what passes under way add); its rows are read as a range of the waiting rows' index
   * (written as row comparisons, which the primary key cannot serve: with {@code account_id = x}
   * the generic plan walked the primary key past every row of a flood to find another account's
   * one). 50,000 waiting rows of one account (128 published) and one of another: 684 buffers,
   * against 1,183 for the first 500 rows in id order as the relay read them before.
   */
  private static final String TAKE =
      """
      WITH RECURSIVE waiting (account_id, oldest) AS (
        (SELECT account_id, id FROM outbox WHERE published_at IS NULL
          ORDER BY account_id, id LIMIT 1)
        UNION ALL
        SELECT n.account_id, n.id
          FROM waiting w,
               LATERAL (SELECT account_id, id FROM outbox
                         WHERE published_at IS NULL AND account_id > w.account_id
                         ORDER BY account_id, id LIMIT 1) n
      ), room AS (
        SELECT w.account_id, w.oldest,
               $1 - (SELECT count(*) FROM outbox p
                      WHERE p.account_id = w.account_id AND p.published_at IS NOT NULL) AS room
          FROM waiting w
      ), chosen AS (
        SELECT account_id, oldest, room FROM room WHERE room > 0 ORDER BY oldest LIMIT $2
      ), share AS (
        SELECT greatest(1, ($2 + count(*) - 1) / greatest(count(*), 1)) AS rows FROM chosen
      )
      SELECT o.id, o.activity_id, o.account_id
        FROM chosen c CROSS JOIN share s
             CROSS JOIN LATERAL (SELECT id, activity_id, account_id FROM outbox
                                  WHERE (account_id, id) >= (c.account_id, c.oldest)
                                    AND (account_id, id) < (c.account_id + 1, 0)
                                    AND published_at IS NULL
                                  ORDER BY account_id, id LIMIT least(c.room, s.rows)
                                    FOR UPDATE SKIP LOCKED) o
       ORDER BY c.oldest, o.id
      """;

  /**
   * Makes the published rows ($2 at most) whose activity is still Queued, published before $1, wait
   * again.
   */
  private static final String REPUBLISH =
      StatusSql.of(
          """
      UPDATE outbox SET published_at = NULL
       WHERE id IN (SELECT o.id FROM outbox o JOIN activities a ON a.id = o.activity_id
                     WHERE o.published_at < $1 AND a.status = {queued}
                     LIMIT $2
                       FOR UPDATE OF o SKIP LOCKED)
      """);

  private final Pool pool;
  private final Clock clock;
  private final String amqpUrl;
  private final String queue;
  private final long intervalMs;
  private final int perAccount;
  private volatile RabbitMQClient client;
  private MessageConsumer<Object> ended;
  private int passes;

  /** Whether a pass is owed: jobs ended, or a full batch went out, while passes were under way. */
  private boolean again;

  private boolean stopping;
  private long lastRepublish;

  /** Completed once the last pass under way at a stop has ended. */
  private Promise<Void> idle;

  private long timer;

  /**
   * Creates a relay polling the outbox every {@code intervalMs}, with at most {@code perAccount}
   * jobs of one account published and not yet ended.
   */
  public OutboxRelay(
      Pool pool, Clock clock, String amqpUrl, String queue, long intervalMs, int perAccount) {
    this.pool = pool;
    this.clock = clock;
    this.amqpUrl = amqpUrl;
    this.queue = queue;
    this.intervalMs = intervalMs;
    this.perAccount = perAccount;
  }

  @Override
  public Future<?> start() {
    lastRepublish = System.nanoTime();
    return Broker.connect(vertx, amqpUrl, queue, RabbitMQClient::confirmSelect)
        .onSuccess(
            connected -> {
              client = connected;
              timer = vertx.setPeriodic(intervalMs, tick -> tick());
              ended = vertx.eventBus().localConsumer(JOBS_ENDED, message -> relay());
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
    Future<Void> unsubscribed = ended == null ? Future.succeededFuture() : ended.unregister();
    // the passes under way end first: the broker connection and then the pool close after them
    Future<Void> passed =
        passes == 0 ? Future.succeededFuture() : (idle = Promise.promise()).future();
    return unsubscribed
        .transform(done -> passed)
        .compose(done -> client == null ? Future.succeededFuture() : client.stop());
  }

  private void tick() {
    if (System.nanoTime() - lastRepublish > REPUBLISH_EVERY_MS * 1_000_000) {
      lastRepublish = System.nanoTime();
      republish();
    }
    relay();
  }

  /**
   * Publishes what the outbox holds, pass after pass, with up to {@link #PASSES} passes under way
   * at once: while one marks its confirmed rows and commits, the next reads its rows and publishes.
   * (The client runs a channel's calls in order, so a pass's publishes still wait behind the
   * other's wait for confirms.)
   */
  private void relay() {
    if (stopping || client == null || !client.isConnected()) {
      return;
    }
    if (passes >= PASSES) {
      again = true;
      return;
    }
    again = false;
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
              } else if (done.result() > 0 || again) {
                relay(); // more may wait, or room was made meanwhile
              }
            });
  }

  private Future<Integer> publishBatch(SqlConnection conn) {
    return conn.preparedQuery(TAKE)
        .execute(Tuple.of(perAccount, BATCH))
        .compose(
            rows -> {
              if (rows.size() == BATCH) {
                relay(); // more is likely waiting: the next pass takes the rows after these
              }
              if (rows.size() == 0) {
                return Future.succeededFuture(0);
              }
              return publish(inTurn(rows))
                  .compose(
                      confirmed ->
                          conn.preparedQuery(
                                  "UPDATE outbox SET published_at = $2 WHERE id = ANY($1)")
                              .execute(Tuple.of(ids(rows), now())))
                  .map(rows.size());
            });
  }

  /** Publishes the activities in the order given, and waits for the broker's confirms. */
  private Future<Void> publish(List<Long> activityIds) {
    if (activityIds.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Future<Void>> sent = new ArrayList<>(activityIds.size());
    for (long id : activityIds) {
      Buffer body = new JsonObject().put("activity_id", id).toBuffer();
      sent.add(client.basicPublish("", queue, PERSISTENT, body));
    }
    return Future.all(sent)
        .compose(all -> client.waitForConfirms(CONFIRM_TIMEOUT_MS))
        .onSuccess(ok -> LOG.debug("outbox relayed [messages: {}]", activityIds.size()));
  }

  /**
   * The rows' activities in turn by account: the first of each account (in the order the rows
   * came), then the second of each, and so on.
   */
  static List<Long> inTurn(Iterable<Row> rows) {
    Map<Long, List<Long>> byAccount = new LinkedHashMap<>();
    int count = 0;
    for (Row row : rows) {
      byAccount
          .computeIfAbsent(row.getLong("account_id"), a -> new ArrayList<>())
          .add(row.getLong("activity_id"));
      count++;
    }
    List<Long> order = new ArrayList<>(count);
    for (int turn = 0; order.size() < count; turn++) {
      for (List<Long> ids : byAccount.values()) {
        if (turn < ids.size()) {
          order.add(ids.get(turn));
        }
      }
    }
    return order;
  }

  /** Lets published activities still Queued long after be published again. */
  private void republish() {
    pool.preparedQuery(REPUBLISH)
        .execute(Tuple.of(now().minus(REPUBLISH_AFTER), BATCH))
        .onSuccess(
            rows -> {
              if (rows.rowCount() > 0) {
                LOG.warn(
                    "published activities still queued long after, published again [count: {}]",
                    rows.rowCount());
                relay();
              }
            })
        .onFailure(e -> LOG.warn("outbox republish failed [cause: {}]", e.toString()));
  }

  private OffsetDateTime now() {
    return clock.instant().atOffset(ZoneOffset.UTC);
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
