package dev.outpost.bench.benchmarks;

import com.rabbitmq.client.AMQP;
import dev.outpost.bench.Benchmark;
import dev.outpost.bench.Context;
import dev.outpost.bench.Figure;
import dev.outpost.bench.Report;
import dev.outpost.bench.exchange.Fleet;
import dev.outpost.bench.support.Amqp;
import dev.outpost.bench.support.BenchDatabase;
import dev.outpost.bench.support.OutpostProcess;
import dev.outpost.bench.support.Usage;
import dev.outpost.server.jobs.Broker;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.rabbitmq.QueueOptions;
import io.vertx.rabbitmq.RabbitMQClient;
import io.vertx.rabbitmq.RabbitMQConsumer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * 3. Server activities: N no-op server activities created Queued with their outbox rows in one
 * statement, timed until the last is Succeeded (outbox relay, RabbitMQ, job-handler claim, handler,
 * outcome, ack); against publishing and consuming as many messages with the same client, the same
 * confirms, prefetch and acks, and no database.
 */
public final class JobsBench implements Benchmark {

  /**
   * The relay's batch and passes under way at once, and the job-handler's default prefetch, which
   * the baseline copies.
   */
  private static final int BATCH = 500;

  private static final int PASSES = 2;
  private static final int PREFETCH = 256;
  private static final AMQP.BasicProperties PERSISTENT =
      new AMQP.BasicProperties.Builder().deliveryMode(2).contentType("application/json").build();

  private static final String CREATE =
      """
      WITH created AS (
        INSERT INTO activities (account_id, kind, type, status, summary, parameters, creator,
                                created_at)
        SELECT ?, 'server', 'ArchiveRequest', 'queued', 'Archive', '{"older_than_days": 3650}',
               'bench', now()
          FROM generate_series(1, ?)
        RETURNING id, account_id, status, created_at
      ), logged AS (
        INSERT INTO activity_events (activity_id, from_status, to_status, at, actor, reason)
        SELECT id, NULL, status, created_at, 'bench', 'created' FROM created
      )
      INSERT INTO outbox (activity_id, account_id, created_at)
      SELECT id, account_id, created_at FROM created
      """;

  @Override
  public String name() {
    return "jobs";
  }

  @Override
  public void run(Context ctx, Report report) throws Exception {
    int n = ctx.config().jobsActivities();
    List<Double> rates = new ArrayList<>();
    List<Double> serverCores = new ArrayList<>();
    List<Double> databaseCores = new ArrayList<>();
    List<Double> serverRss = new ArrayList<>();
    List<Double> relayed = new ArrayList<>();
    List<Double> machineCores = new ArrayList<>();
    try (BenchDatabase db = BenchDatabase.create(ctx.config().pgUrl(), "jobs");
        OutpostProcess server =
            OutpostProcess.start(ctx, db, "jobs-server", Map.of(), List.of("ArchiveRequest"))) {
      long account = Fleet.accountId(db);
      long warmUntil = warmUntil(ctx);
      for (int run = 0; run <= ctx.config().runs(); run = next(run, warmUntil)) {
        Usage usage = Usage.start(server.pid(), db::backendPids);
        Timing timing = throughRuns(db, account, n, server);
        double seconds = timing.finished();
        Usage.Snapshot used = usage.stop();
        db.vacuum();
        System.out.printf(
            "  %s: %d activities in %.2f s: %,.0f/s (outbox empty after %.2f s);"
                + " server %.2f cores, db %.2f, machine %.2f%n",
            run == 0 ? "warm-up" : "run " + run,
            n,
            seconds,
            n / seconds,
            timing.relayed(),
            used.serverCores(),
            used.databaseCores(),
            used.machineCores());
        if (run > 0) {
          rates.add(n / seconds);
          relayed.add(timing.relayed());
          machineCores.add(used.machineCores());
          serverCores.add(used.serverCores());
          databaseCores.add(used.databaseCores());
          serverRss.add(used.serverRssMib());
        }
      }
      long failed = db.queryLong("SELECT count(*) FROM activities WHERE status <> 'succeeded'");
      if (failed > 0) {
        throw new IllegalStateException(failed + " server activities did not succeed");
      }
    }
    List<Double> baseline = new ArrayList<>();
    String queue = "outpost.bench.baseline." + System.currentTimeMillis();
    try {
      long warmUntil = warmUntil(ctx);
      for (int run = 0; run <= ctx.config().runs(); run = next(run, warmUntil)) {
        double seconds = publishAndConsume(ctx, queue, n);
        System.out.printf(
            "  baseline %s: %d messages in %.2f s: %,.0f/s%n",
            run == 0 ? "warm-up" : "run " + run, n, seconds, n / seconds);
        if (run > 0) {
          baseline.add(n / seconds);
        }
      }
    } finally {
      Amqp.deleteQueue(ctx.config().amqpUrl(), queue);
    }
    report.add(
        List.of(
            Figure.of(name(), "no-op server activities, " + n + " per run", "/s")
                .runs(rates)
                .baseline("RabbitMQ publish+consume, no DB", baseline)
                .aim(">= 5000/s")
                .detail("server_cores", serverCores)
                .detail("db_cores", databaseCores)
                .detail("server_rss_mib", serverRss)
                .detail("machine_cores", machineCores)
                .detail("outbox_empty_after_s", relayed)
                .build()));
  }

  private static long warmUntil(Context ctx) {
    return System.nanoTime() + ctx.config().warmupSeconds() * 1_000_000_000L;
  }

  /** The run after this one: run 0, the warm-up, is repeated until the warm-up time is spent. */
  private static int next(int run, long warmUntil) {
    return run == 0 && System.nanoTime() < warmUntil ? 0 : run + 1;
  }

  /** When a run's outbox was empty and when its last activity finished, in seconds. */
  private record Timing(double relayed, double finished) {}

  /**
   * Creates the activities and waits until none is left Queued or In Progress. Light on the
   * database, as it shares it with what it measures: it watches the outbox (small) and the newest
   * activity (the queue is first in, first out), and counts the rest only then.
   */
  private static Timing throughRuns(BenchDatabase db, long account, int n, OutpostProcess server)
      throws Exception {
    try (Connection conn = db.connect();
        PreparedStatement create = conn.prepareStatement(CREATE);
        PreparedStatement outbox =
            conn.prepareStatement("SELECT count(*) FROM outbox WHERE published_at IS NULL");
        PreparedStatement last =
            conn.prepareStatement(
                "SELECT status FROM activities WHERE id = (SELECT max(id) FROM activities)");
        PreparedStatement left =
            conn.prepareStatement(
                """
             SELECT count(*) FROM activities
              WHERE account_id = ? AND status IN ('queued', 'in-progress')
                AND type = 'ArchiveRequest'
             """)) {
      create.setLong(1, account);
      create.setInt(2, n);
      create.execute();
      long start = System.nanoTime();
      long deadline = start + TimeUnit.MINUTES.toNanos(10);
      double relayed = Double.NaN;
      left.setLong(1, account);
      while (System.nanoTime() < deadline) {
        server.process().checkAlive();
        if (Double.isNaN(relayed) && one(outbox) == 0) {
          relayed = (System.nanoTime() - start) / 1e9;
        }
        if (!Double.isNaN(relayed) && "succeeded".equals(text(last)) && one(left) == 0) {
          return new Timing(relayed, (System.nanoTime() - start) / 1e9);
        }
        Thread.sleep(20);
      }
      throw new IllegalStateException("server activities still running after 10 minutes");
    }
  }

  private static long one(PreparedStatement query) throws Exception {
    try (ResultSet rs = query.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static String text(PreparedStatement query) throws Exception {
    try (ResultSet rs = query.executeQuery()) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  /**
   * Publishes n persistent messages in batches with confirms, as the outbox relay does (two batches
   * under way at once), while a consumer with the job-handler's prefetch acks each; timed until the
   * last ack.
   */
  private static double publishAndConsume(Context ctx, String queue, int n) throws Exception {
    String url = ctx.config().amqpUrl();
    RabbitMQClient consumerClient =
        await(Broker.connect(ctx.vertx(), url, queue, c -> c.basicQos(PREFETCH)));
    RabbitMQClient publisher =
        await(Broker.connect(ctx.vertx(), url, queue, RabbitMQClient::confirmSelect));
    try {
      Promise<Void> allAcked = Promise.promise();
      AtomicInteger acked = new AtomicInteger();
      RabbitMQConsumer consumer =
          await(
              consumerClient.basicConsumer(
                  queue, new QueueOptions().setAutoAck(false).setMaxInternalQueueSize(PREFETCH)));
      consumer.handler(
          message ->
              consumerClient
                  .basicAck(message.envelope().getDeliveryTag(), false)
                  .onSuccess(
                      ok -> {
                        if (acked.incrementAndGet() == n) {
                          allAcked.tryComplete();
                        }
                      }));
      long start = System.nanoTime();
      List<Future<Void>> passes = new ArrayList<>();
      for (int i = 0; i < PASSES; i++) {
        passes.add(Future.succeededFuture());
      }
      for (int from = 0, batch = 0; from < n; from += BATCH, batch++) {
        int first = from;
        int count = Math.min(BATCH, n - from);
        int pass = batch % PASSES;
        passes.set(
            pass, passes.get(pass).compose(done -> publishBatch(publisher, queue, first, count)));
      }
      await(Future.all(passes));
      await(allAcked.future());
      double seconds = (System.nanoTime() - start) / 1e9;
      await(consumer.cancel());
      return seconds;
    } finally {
      await(publisher.stop());
      await(consumerClient.stop());
    }
  }

  private static Future<Void> publishBatch(
      RabbitMQClient client, String queue, int first, int count) {
    List<Future<Void>> sent = new ArrayList<>(count);
    for (int i = first; i < first + count; i++) {
      Buffer body = new JsonObject().put("activity_id", (long) i).toBuffer();
      sent.add(client.basicPublish("", queue, PERSISTENT, body));
    }
    return Future.all(sent).compose(all -> client.waitForConfirms(5000));
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
  }
}
