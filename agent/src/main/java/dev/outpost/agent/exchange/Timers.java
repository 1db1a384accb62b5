package dev.outpost.agent.exchange;

import io.vertx.core.Vertx;

/**
 * Where an agent sets its timers (the next exchange, the next ping): Vert.x's own for a real agent,
 * a {@link TimerWheel} shared by the agents of an event loop for a simulated fleet. Used from the
 * agent's context only.
 */
public interface Timers {

  /** A timer that is set, until it fires or is canceled. */
  interface Timer {
    /** Stops it from firing; nothing happens when it fired already. */
    void cancel();
  }

  /** Runs {@code task} on the agent's context in {@code delayMs} milliseconds (at least 1). */
  Timer set(long delayMs, Runnable task);

  /** Timers of Vert.x, on the context that sets them. */
  static Timers of(Vertx vertx) {
    return (delayMs, task) -> {
      long id = vertx.setTimer(Math.max(1, delayMs), fired -> task.run());
      return () -> vertx.cancelTimer(id);
    };
  }
}
