package dev.outpost.server.events;

import dev.outpost.server.ServerConfig;
import dev.outpost.server.metrics.ServerMetrics;
import dev.outpost.server.net.OutboundAddresses;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the webhooks on every instance: on each notice of new events (and every {@value
 * #TICK_MILLIS} ms, for retries that come due) it records each enabled webhook's deliveries from
 * the event log, sends the deliveries that are due, and forgets finished ones past their retention.
 * Instances share the work through row locks and leases, so none sends a delivery another is
 * sending.
 *
 * <p>Sending is fair across webhooks: up to {@value #SENDING} deliveries are under way at once, at
 * most about {@value #PER_WEBHOOK} of one webhook, the webhooks taken in turn; each one that ends
 * makes room for the next claim, so a slow or failing endpoint holds its own few places and no one
 * else's.
 */
public final class WebhookVerticle extends VerticleBase {

  private static final long TICK_MILLIS = 1_000;

  /**
   * How long a notice waits for others: under a stream of transitions (every exchange batch logs
   * some) one run serves them all, so the webhooks cost the database a bounded number of statements
   * a second however busy the exchange is.
   */
  private static final long NOTICE_DELAY_MILLIS = 100;

  /** Finished deliveries past their retention are deleted once in this many ticks. */
  private static final int PRUNE_TICKS = 60;

  /** Events read per webhook and statement. */
  private static final int RECORD_BATCH = 500;

  /** Deliveries under way at once, from this instance. */
  private static final int SENDING = 32;

  /**
   * Deliveries of one webhook one claim takes at most; a webhook with this many under way is passed
   * by (so it has fewer than twice this many under way).
   */
  private static final int PER_WEBHOOK = 4;

  private static final int PRUNE_BATCH = 1_000;
  private static final Duration LONGEST_BACKOFF = Duration.ofHours(1);
  private static final Logger LOG = LoggerFactory.getLogger(WebhookVerticle.class);

  private final WebhookStore store;
  private final Clock clock;
  private final ServerConfig.EventsConfig settings;
  private final ServerConfig.FetchConfig outbound;
  private final ServerMetrics metrics;
  private final Duration lease;
  private Context context;
  private HttpClient client;
  private WebhookSender sender;
  private long tick = -1;
  private boolean running;
  private boolean again;
  private boolean soon;
  private long ticks;

  /** Deliveries under way, in all and by webhook. */
  private int sending;

  private final Map<Long, Integer> sendingTo = new HashMap<>();

  /** The webhook the last claim ended with: the next starts after it. */
  private long lastWebhook;

  private boolean claiming;
  private boolean claimAgain;

  /** The webhooks of the store, sent under the outbound rule and timeouts. */
  public WebhookVerticle(
      WebhookStore store,
      Clock clock,
      ServerConfig.EventsConfig settings,
      ServerConfig.FetchConfig outbound,
      ServerMetrics metrics) {
    this.store = store;
    this.clock = clock;
    this.settings = settings;
    this.outbound = outbound;
    this.metrics = metrics;
    // a sender that died mid-request leaves its claims to others once its request surely ended
    this.lease = outbound.connectTimeout().plus(outbound.idleTimeout()).plusSeconds(30);
  }

  @Override
  public Future<?> start() {
    context = vertx.getOrCreateContext();
    client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setConnectTimeout((int) outbound.connectTimeout().toMillis())
                .setIdleTimeout((int) outbound.idleTimeout().toSeconds()));
    sender =
        new WebhookSender(
            vertx, client, new OutboundAddresses(outbound.allowedPrivate()), outbound);
    tick = vertx.setPeriodic(TICK_MILLIS, t -> tick());
    run();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(tick);
    return client.close();
  }

  /**
   * New events were logged, or notices reach this instance again: runs within {@value
   * #NOTICE_DELAY_MILLIS} ms, once for all the notices that come meanwhile.
   */
  public void notified() {
    Context started = context;
    if (started != null) {
      started.runOnContext(
          v -> {
            if (!soon) {
              soon = true;
              vertx.setTimer(
                  NOTICE_DELAY_MILLIS,
                  t -> {
                    soon = false;
                    run();
                  });
            }
          });
    }
  }

  private void tick() {
    run();
    if (++ticks % PRUNE_TICKS == 0) {
      prune().onFailure(e -> LOG.warn("webhook deliveries not pruned [cause: {}]", e.getMessage()));
    }
  }

  private void run() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    store
        .enabled()
        // no webhook enabled: nothing to record, nothing to send (a disabled one gave its up)
        .compose(
            ids ->
                ids.isEmpty()
                    ? Future.succeededFuture()
                    : recordAll(ids).onSuccess(recorded -> send()))
        .onComplete(
            done -> {
              running = false;
              if (done.failed()) {
                LOG.warn("webhooks run failed [cause: {}]", done.cause().getMessage());
              } else if (again) {
                run();
              }
            });
  }

  private Future<Void> recordAll(List<Long> ids) {
    Future<Void> chain = Future.succeededFuture();
    for (long id : ids) {
      chain = chain.compose(v -> record(id));
    }
    return chain;
  }

  private Future<Void> record(long webhookId) {
    return store
        .record(webhookId, clock.instant(), RECORD_BATCH)
        .compose(more -> more ? record(webhookId) : Future.succeededFuture());
  }

  /**
   * Claims due deliveries while there is room for them, and sends each; every one that ends asks
   * for more. Does not wait for the sends.
   */
  private void send() {
    if (claiming) {
      claimAgain = true;
      return;
    }
    int room = SENDING - sending;
    if (room <= 0) {
      return;
    }
    claiming = true;
    claimAgain = false;
    List<Long> passed =
        sendingTo.entrySet().stream()
            .filter(e -> e.getValue() >= PER_WEBHOOK)
            .map(Map.Entry::getKey)
            .toList();
    Instant now = clock.instant();
    store
        .claim(now, room, now.plus(lease), lastWebhook, passed, PER_WEBHOOK)
        .onComplete(
            done -> {
              claiming = false;
              if (done.failed()) {
                LOG.warn("webhook deliveries not claimed [cause: {}]", done.cause().getMessage());
                return;
              }
              List<WebhookStore.Claimed> claimed = done.result();
              claimed.forEach(this::start);
              if (!claimed.isEmpty()) {
                lastWebhook = lastInTurn(claimed, lastWebhook);
              }
              if (claimAgain || claimed.size() == room) {
                send();
              }
            });
  }

  /**
   * The webhook of a claim that came last in its turn, the turn starting after {@code after} (as
   * the claim orders the webhooks: those after it by id, then the others): the rows an UPDATE
   * returns come in no order.
   */
  static long lastInTurn(List<WebhookStore.Claimed> claimed, long after) {
    return claimed.stream()
        .map(WebhookStore.Claimed::webhookId)
        .max(Comparator.comparing((Long id) -> id <= after).thenComparing(id -> id))
        .orElse(after);
  }

  /** Sends a claimed delivery; once it ended, its place goes to the next claim. */
  private void start(WebhookStore.Claimed delivery) {
    sending++;
    sendingTo.merge(delivery.webhookId(), 1, Integer::sum);
    deliver(delivery)
        .onComplete(
            done -> {
              sending--;
              sendingTo.computeIfPresent(delivery.webhookId(), (id, n) -> n == 1 ? null : n - 1);
              if (done.failed()) {
                LOG.warn(
                    "webhook delivery outcome not written [id: {}, cause: {}]",
                    delivery.id(),
                    done.cause().getMessage());
              }
              send();
            });
  }

  private Future<Void> deliver(WebhookStore.Claimed delivery) {
    Instant now = clock.instant();
    return sender
        .send(delivery.url(), delivery.secret(), delivery.body(), now.getEpochSecond())
        .compose(
            status -> {
              metrics.webhookDeliveries("delivered").increment();
              metrics.webhookLag().record(Duration.between(delivery.eventAt(), clock.instant()));
              return store.delivered(delivery.id(), status, clock.instant());
            },
            failure -> failed(delivery, failure));
  }

  private Future<Void> failed(WebhookStore.Claimed delivery, Throwable failure) {
    Instant now = clock.instant();
    int status = failure instanceof WebhookSender.Failure f ? f.status : 0;
    metrics.webhookDeliveries("failed").increment();
    return store
        .failed(
            delivery.id(),
            status == 0 ? Optional.empty() : Optional.of(status),
            failure.getMessage() == null ? failure.toString() : failure.getMessage(),
            now,
            now.plus(backoff(delivery.attempts())),
            now.minus(settings.retryWindow()))
        .map(
            abandoned -> {
              if (abandoned > 0) {
                metrics.webhookDeliveries("abandoned").increment(abandoned);
                LOG.warn(
                    "webhook disabled: failing longer than the retry window [id: {}]",
                    delivery.webhookId());
              }
              return null;
            });
  }

  /** The wait after the n-th failed attempt: the first backoff, doubled each time, at most 1 h. */
  Duration backoff(int attempts) {
    long millis = settings.firstBackoff().toMillis() << Math.min(attempts - 1, 30);
    return Duration.ofMillis(Math.min(millis, LONGEST_BACKOFF.toMillis()));
  }

  private Future<Void> prune() {
    return store.prune(clock.instant().minus(settings.deliveryRetention()), PRUNE_BATCH).mapEmpty();
  }
}
