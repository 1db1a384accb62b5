package dev.outpost.bench.exchange;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.Collection;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Exchanges of many peers against one server, a peer at a time per request, round robin, so every
 * computer waits its turn (fleet size / rate) between two exchanges. Each exchange carries the
 * result of the activity the previous one brought; every activity delivered is replaced by a new
 * one for the same computer, created in batches by the {@link Refill}, as an admin's fan-outs
 * would.
 */
public final class ExchangeLoad implements AutoCloseable {

  private final HttpClientAgent http;
  private final int port;
  private final ConcurrentLinkedQueue<Peer> idle = new ConcurrentLinkedQueue<>();
  private final Refill refill;
  private final LongAdder exchanges = new LongAdder();
  private final LongAdder withActivity = new LongAdder();
  private final LongAdder withResult = new LongAdder();

  /**
   * Load on the server at {@code port}; a null {@code pool} means nothing is refilled.
   *
   * @param connections HTTP connections at most (the concurrency of the run)
   */
  public ExchangeLoad(
      Vertx vertx, int port, int connections, Collection<Peer> peers, Pool pool, long accountId) {
    this.http =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true),
            new PoolOptions().setHttp1MaxSize(connections));
    this.port = port;
    this.idle.addAll(peers);
    this.refill = pool == null ? null : new Refill(vertx, pool, accountId);
  }

  /** Exchanges of the peers, round robin, for as long as the caller runs them. */
  public Supplier<Future<Boolean>> roundRobin() {
    return () -> {
      Peer peer = idle.poll();
      if (peer == null) {
        return Future.failedFuture("every peer is busy: run fewer requests than peers");
      }
      return exchange(peer).onComplete(done -> idle.add(peer));
    };
  }

  /**
   * Each peer once, then nothing: a supplier that answers null once every peer exchanged, which
   * stops the slot asking.
   */
  public Supplier<Future<Boolean>> eachOnce() {
    ConcurrentLinkedQueue<Peer> todo = new ConcurrentLinkedQueue<>(idle);
    return () -> {
      Peer peer = todo.poll();
      if (peer == null) {
        return null;
      }
      idle.remove(peer);
      return exchange(peer).onComplete(done -> idle.add(peer));
    };
  }

  /** Exchanges of the peers, round robin, until {@code stop} is set. */
  public Supplier<Future<Boolean>> until(AtomicBoolean stop) {
    Supplier<Future<Boolean>> next = roundRobin();
    return () -> stop.get() ? null : next.get();
  }

  /** One exchange of one peer; true when answered 200. */
  public Future<Boolean> exchange(Peer peer) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setHost("127.0.0.1")
            .setPort(port)
            .setURI("/message-system")
            .putHeader("Content-Type", "application/octet-stream")
            .putHeader("X-Message-API", "3.3")
            .putHeader("X-Computer-ID", peer.secureId());
    String token = peer.token();
    if (token != null) {
      options.putHeader("X-Exchange-Token", token);
    }
    boolean carriesResult = peer.pendingResults() > 0;
    Buffer body = peer.payload();
    return http.request(options)
        .compose(request -> request.send(body))
        .compose(response -> response.statusCode() == 200 ? response.body() : failed(response))
        .timeout(60, TimeUnit.SECONDS)
        .map(
            answer -> {
              int activities = peer.absorb(answer);
              exchanges.increment();
              if (carriesResult) {
                withResult.increment();
              }
              if (activities > 0) {
                withActivity.increment();
                if (refill != null) {
                  refill.add(peer.computerId());
                }
              }
              return true;
            });
  }

  private static Future<Buffer> failed(HttpClientResponse response) {
    return response
        .body()
        .compose(
            body ->
                Future.failedFuture("exchange answered " + response.statusCode() + ": " + body));
  }

  /**
   * Counts since the last call: exchanges, those that brought an activity, those carrying a result.
   */
  public long[] takeCounts() {
    return new long[] {
      exchanges.sumThenReset(), withActivity.sumThenReset(), withResult.sumThenReset()
    };
  }

  /** Waits until the refill has created what was asked of it so far. */
  public void awaitRefill() throws InterruptedException {
    if (refill != null) {
      refill.drain();
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (refill != null) {
      refill.close();
    }
    http.close().toCompletionStage().toCompletableFuture().join();
  }

  /** Creates the next activity of every computer that just received one, every 20 ms. */
  static final class Refill implements AutoCloseable {
    private static final int MAX_BATCH = 5_000;
    private final Vertx vertx;
    private final Pool pool;
    private final long accountId;
    private final ConcurrentLinkedQueue<Long> computers = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean busy = new AtomicBoolean();
    private final long timer;

    Refill(Vertx vertx, Pool pool, long accountId) {
      this.vertx = vertx;
      this.pool = pool;
      this.accountId = accountId;
      this.timer = vertx.setPeriodic(20, tick -> flush());
    }

    void add(long computerId) {
      computers.add(computerId);
    }

    private void flush() {
      if (computers.isEmpty() || !busy.compareAndSet(false, true)) {
        return;
      }
      java.util.List<Long> batch = new java.util.ArrayList<>();
      Long id;
      while (batch.size() < MAX_BATCH && (id = computers.poll()) != null) {
        batch.add(id);
      }
      pool.preparedQuery(Fleet.CREATE_ACTIVITIES)
          .execute(Tuple.tuple().addLong(accountId).addArrayOfLong(batch.toArray(Long[]::new)))
          .onFailure(e -> System.err.println("bench: refill failed: " + e))
          .onComplete(done -> busy.set(false));
    }

    void drain() throws InterruptedException {
      while (!computers.isEmpty() || busy.get()) {
        Thread.sleep(20);
      }
    }

    @Override
    public void close() throws InterruptedException {
      drain();
      vertx.cancelTimer(timer);
    }
  }
}
