package dev.outpost.server.health;

import dev.outpost.server.activity.StatusSql;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges of the work waiting in the database, read by one query every {@link #INTERVAL} rather than
 * at every scrape, each count stopping at {@link #CAP} rows so that a backlog of millions costs no
 * more to measure than one of a hundred thousand:
 *
 * <ul>
 *   <li>{@code outpost_outbox_depth}: server activities written to the outbox and not yet published
 *       to the job queue; {@code outpost_outbox_age_seconds}: how long the oldest has waited (0
 *       when none)
 *   <li>{@code outpost_scheduler_lag_seconds}: how long past its time the oldest due server
 *       activity still waits Scheduled for the scheduler to queue it (0 when none)
 *   <li>{@code outpost_stale_activities}: client activities delivered and without a result past the
 *       result deadline
 *   <li>{@code outpost_activities_in_progress}: activities In Progress, client and server
 *   <li>{@code outpost_quarantined_messages_kept}: client messages the exchange set aside, kept
 * </ul>
 *
 * They are the installation's figures, the same on every instance scraped.
 */
public final class Backlog {

  /** How often the gauges are read. */
  public static final Duration INTERVAL = Duration.ofSeconds(15);

  /** The most rows one count reads. */
  public static final int CAP = 100_000;

  private static final long READ_TIMEOUT_MS = 2_000;
  private static final Logger LOG = LoggerFactory.getLogger(Backlog.class);
  private static final String QUERY =
      StatusSql.of(
          """
      SELECT
        (SELECT count(*) FROM (SELECT 1 FROM outbox WHERE published_at IS NULL LIMIT $1) o)
          AS outbox_depth,
        (SELECT created_at FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT 1)
          AS outbox_oldest,
        (SELECT min(deliver_after) FROM activities
          WHERE status = {scheduled} AND kind = 'server' AND deliver_after <= $2) AS due_oldest,
        (SELECT count(*) FROM (SELECT 1 FROM activities
          WHERE status = {in-progress} AND kind = 'client' AND delivered_at < $3 LIMIT $1) s)
          AS stale,
        (SELECT count(*) FROM (SELECT 1 FROM activities
          WHERE status = {in-progress} LIMIT $1) r) AS in_progress,
        (SELECT count(*) FROM (SELECT 1 FROM quarantined_messages LIMIT $1) q) AS quarantined
      """);

  private final Pool pool;
  private final Clock clock;
  private final Duration resultDeadline;
  private final AtomicLong outboxDepth = new AtomicLong();
  private final AtomicLong outboxAgeMillis = new AtomicLong();
  private final AtomicLong schedulerLagMillis = new AtomicLong();
  private final AtomicLong stale = new AtomicLong();
  private final AtomicLong quarantined = new AtomicLong();
  private final AtomicLong inProgress = new AtomicLong();
  private long readAt = Long.MIN_VALUE / 2;
  private Future<Void> reading;

  /** Registers the gauges; {@link #fresh} reads them. */
  public Backlog(Pool pool, Clock clock, Duration resultDeadline, MeterRegistry registry) {
    this.pool = pool;
    this.clock = clock;
    this.resultDeadline = resultDeadline;
    Gauge.builder("outpost.outbox.depth", outboxDepth, AtomicLong::get)
        .description("server activities in the outbox, not yet published to the job queue")
        .register(registry);
    Gauge.builder("outpost.outbox.age", outboxAgeMillis, millis -> millis.get() / 1000.0)
        .description("how long the oldest server activity in the outbox has waited")
        .baseUnit("seconds")
        .register(registry);
    Gauge.builder("outpost.scheduler.lag", schedulerLagMillis, millis -> millis.get() / 1000.0)
        .description("how long past its time the oldest due server activity waits Scheduled")
        .baseUnit("seconds")
        .register(registry);
    Gauge.builder("outpost.stale.activities", stale, AtomicLong::get)
        .description("client activities delivered and without a result past the deadline")
        .register(registry);
    Gauge.builder("outpost.activities.in.progress", inProgress, AtomicLong::get)
        .description("activities In Progress, client and server")
        .register(registry);
    Gauge.builder("outpost.quarantined.messages.kept", quarantined, AtomicLong::get)
        .description("client messages set aside by the exchange, kept")
        .register(registry);
  }

  /**
   * Completes once the gauges are at most {@link #INTERVAL} old, reading them when they are older;
   * a reading that fails or takes longer than two seconds leaves the last values (logged).
   */
  public synchronized Future<Void> fresh() {
    long now = clock.millis();
    if (reading != null) {
      return reading;
    }
    if (now - readAt < INTERVAL.toMillis()) {
      return Future.succeededFuture();
    }
    OffsetDateTime at = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    reading =
        pool.preparedQuery(QUERY)
            .execute(Tuple.of(CAP, at, at.minus(resultDeadline)))
            .timeout(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS)
            .onSuccess(rows -> read(rows.iterator().next(), at))
            .onFailure(e -> LOG.warn("backlog gauges not read [cause: {}]", e.toString()))
            .<Void>mapEmpty()
            .otherwiseEmpty()
            .onComplete(done -> done(now));
    return reading;
  }

  private synchronized void done(long startedAt) {
    readAt = startedAt;
    reading = null;
  }

  private void read(Row row, OffsetDateTime now) {
    outboxDepth.set(row.getLong("outbox_depth"));
    outboxAgeMillis.set(millisSince(row.getOffsetDateTime("outbox_oldest"), now));
    schedulerLagMillis.set(millisSince(row.getOffsetDateTime("due_oldest"), now));
    stale.set(row.getLong("stale"));
    quarantined.set(row.getLong("quarantined"));
    inProgress.set(row.getLong("in_progress"));
  }

  private static long millisSince(OffsetDateTime then, OffsetDateTime now) {
    return then == null ? 0 : Math.max(0, Duration.between(then, now).toMillis());
  }
}
