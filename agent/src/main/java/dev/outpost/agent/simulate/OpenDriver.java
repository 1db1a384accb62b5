package dev.outpost.agent.simulate;

import dev.outpost.agent.exchange.Agent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The open model: exchanges started at the rate the schedule sets, whatever the server's speed,
 * each by the agent idle longest. Exchange {@code k} of the schedule is meant to start when the
 * profile's integral reaches {@code k + 1}; its latency counts from then, so one that waits for a
 * free agent counts the wait. When no agent is free the exchange waits in a queue (bounded: past
 * {@link #MAX_WAITING}, it is counted "not sent"). Runs on its own context; the agents on theirs.
 */
final class OpenDriver extends VerticleBase {

  /** Scheduled exchanges that may wait for a free agent. */
  static final int MAX_WAITING = 100_000;

  /** How often the schedule is looked at. */
  private static final long TICK_MS = 5;

  private final RateProfile profile;
  private final Shard shard;
  private final FleetStats stats;
  private final ArrayDeque<Agent> idle;
  private final ArrayDeque<Long> waiting = new ArrayDeque<>();
  private final Promise<Void> finished = Promise.promise();
  private long startNanos;
  private long next;
  private long timer = -1;
  private int running;
  private boolean ended;

  OpenDriver(RateProfile profile, Shard shard, List<Agent> agents, FleetStats stats) {
    this.profile = profile;
    this.shard = shard;
    this.idle = new ArrayDeque<>(agents);
    this.stats = stats;
  }

  /** Completes when the schedule has ended and every exchange of it has been answered. */
  Future<Void> finished() {
    return finished.future();
  }

  @Override
  public Future<?> start() {
    startNanos = System.nanoTime();
    timer = vertx.setPeriodic(TICK_MS, id -> tick());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    ended = true;
    finished.tryComplete();
    return Future.succeededFuture();
  }

  private void tick() {
    if (ended) {
      return;
    }
    double elapsed = (System.nanoTime() - startNanos) / 1e9;
    boolean over = elapsed >= profile.seconds();
    long due = (long) Math.floor(profile.count(Math.min(elapsed, profile.seconds())) + 1e-9);
    for (; next < due; next++) {
      if (shard.takes(next)) {
        stats.scheduled();
        dispatch(startNanos + (long) (profile.timeOf(next + 1) * 1e9));
      }
    }
    if (over) {
      ended = true;
      vertx.cancelTimer(timer);
      finishIfDone();
    }
  }

  private void dispatch(long intendedNanos) {
    Agent agent = idle.pollFirst();
    if (agent == null) {
      if (waiting.size() >= MAX_WAITING) {
        stats.notSent();
      } else {
        waiting.addLast(intendedNanos);
      }
      return;
    }
    running++;
    agent
        .exchangeNow(intendedNanos)
        .onComplete(
            done ->
                context.runOnContext(
                    v -> {
                      running--;
                      idle.addLast(agent);
                      Long queued = waiting.pollFirst();
                      if (queued != null) {
                        dispatch(queued);
                      } else {
                        finishIfDone();
                      }
                    }));
  }

  private void finishIfDone() {
    if (ended && running == 0 && waiting.isEmpty()) {
      finished.tryComplete();
    }
  }
}
