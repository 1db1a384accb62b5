package dev.outpost.agent.handlers;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * The places for scripts that run at once. A script beyond them waits its turn, first come first
 * served, holding no thread, until a place frees or its deadline passes.
 */
final class ScriptSlots {

  /** Thrown to a script whose deadline passed while it waited. */
  static final class Expired extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Expired() {
      super("the time limit was reached while the script waited for a place", null, false, false);
    }
  }

  private final Vertx vertx;
  private final int size;
  private final Deque<Promise<Void>> waiting = new ArrayDeque<>();
  private int used;
  private boolean closed;

  ScriptSlots(Vertx vertx, int size) {
    this.vertx = vertx;
    this.size = size;
  }

  /** How many places there are. */
  int size() {
    return size;
  }

  /**
   * A place, now or when one frees; fails with {@link Expired} once the deadline (a {@link
   * System#nanoTime()}) passed without one. Each place taken must be released once.
   */
  Future<Void> acquire(Optional<Long> deadline) {
    Promise<Void> turn = Promise.promise();
    synchronized (this) {
      if (closed) {
        return Future.failedFuture("the agent is stopping");
      }
      if (used < size) {
        used++;
        return Future.succeededFuture();
      }
      waiting.add(turn);
    }
    deadline.ifPresent(
        at -> {
          long timer =
              vertx.setTimer(Math.max(1, (at - System.nanoTime()) / 1_000_000), id -> expire(turn));
          turn.future().onComplete(done -> vertx.cancelTimer(timer));
        });
    return turn.future();
  }

  /**
   * Takes a script that still waits out of the line: its {@code turn} (what {@link #acquire} gave
   * it) fails with {@code reason}, and it never holds a place, so it must not release one.
   *
   * @return whether it still waited; if not, it holds a place (or its wait already ended)
   */
  boolean withdraw(Future<Void> turn, Throwable reason) {
    Promise<Void> withdrawn = null;
    synchronized (this) {
      for (Promise<Void> waiter : waiting) {
        if (waiter.future() == turn) {
          withdrawn = waiter;
          break;
        }
      }
      if (withdrawn != null) {
        waiting.remove(withdrawn);
      }
    }
    if (withdrawn == null) {
      return false;
    }
    withdrawn.fail(reason);
    return true;
  }

  /** Frees a place, for the first script waiting if there is one. */
  void release() {
    Promise<Void> next;
    synchronized (this) {
      next = waiting.poll();
      if (next == null) {
        used--;
      }
    }
    if (next != null) {
      next.complete();
    }
  }

  /** Fails the scripts still waiting; no more get a place. */
  void close() {
    List<Promise<Void>> left;
    synchronized (this) {
      closed = true;
      left = new ArrayList<>(waiting);
      waiting.clear();
    }
    left.forEach(turn -> turn.tryFail("the agent is stopping"));
  }

  private void expire(Promise<Void> turn) {
    boolean removed;
    synchronized (this) {
      removed = waiting.remove(turn);
    }
    if (removed) {
      turn.fail(new Expired());
    }
  }
}
