package dev.outpost.agent.exchange;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The timers of many agents on one event loop: a hashed wheel of {@value #SLOTS} slots, turned
 * every {@code tickMs} by a single Vert.x timer. A timer set on it is one small object in a list,
 * where one of Vert.x's is a Netty task, a handler, an entry in Vert.x's map of timers and a node
 * in the event loop's priority queue (some 180 bytes against 24, and no {@code log n} per timer);
 * 100,000 simulated agents hold two each. A timer fires up to a tick late, never early. Used from
 * the event loop of the context that started it only.
 */
public final class TimerWheel implements Timers {

  private static final Logger LOG = LoggerFactory.getLogger(TimerWheel.class);

  static final int SLOTS = 4096;

  private final Vertx vertx;
  private final long tickMs;
  private final List<List<Entry>> slots = new ArrayList<>(SLOTS);
  private long periodic = -1;

  /** The last tick whose slot was gone through. */
  private long turned;

  private int pending;

  /** A timer: the tick it is due at, and its task until it fires or is canceled. */
  private static final class Entry implements Timer {
    final long dueTick;
    Runnable task;

    Entry(long dueTick, Runnable task) {
      this.dueTick = dueTick;
      this.task = task;
    }

    @Override
    public void cancel() {
      task = null;
    }
  }

  /** A wheel turning every {@code tickMs}; call {@link #start} on the context it serves. */
  public TimerWheel(Vertx vertx, long tickMs) {
    this.vertx = vertx;
    this.tickMs = tickMs;
    for (int i = 0; i < SLOTS; i++) {
      slots.add(new ArrayList<>());
    }
  }

  /** Starts turning, on the calling context. */
  public void start() {
    turned = now() / tickMs;
    periodic = vertx.setPeriodic(tickMs, id -> turn());
  }

  /** Stops turning: timers not fired yet never will. */
  public void stop() {
    vertx.cancelTimer(periodic);
    slots.forEach(List::clear);
    pending = 0;
  }

  /** Timers set and neither fired nor gone through after being canceled. */
  public int pending() {
    return pending;
  }

  @Override
  public Timer set(long delayMs, Runnable task) {
    long due = Math.max(turned + 1, (now() + Math.max(1, delayMs) + tickMs - 1) / tickMs);
    Entry entry = new Entry(due, task);
    slots.get((int) (due % SLOTS)).add(entry);
    pending++;
    return entry;
  }

  /** Goes through the slots of every tick that has come since the last turn. */
  private void turn() {
    long tick = now() / tickMs;
    while (turned < tick) {
      turned++;
      int index = (int) (turned % SLOTS);
      List<Entry> slot = slots.get(index);
      if (slot.isEmpty()) {
        continue;
      }
      // a task may set timers, in this very slot too: it gets a fresh list
      List<Entry> later = new ArrayList<>();
      slots.set(index, later);
      for (Entry entry : slot) {
        if (entry.task == null) {
          pending--;
        } else if (entry.dueTick <= turned) {
          pending--;
          Runnable task = entry.task;
          entry.task = null;
          try {
            task.run();
          } catch (RuntimeException e) {
            LOG.error("a timer's task failed [problem: {}]", e.toString(), e);
          }
        } else {
          later.add(entry);
        }
      }
    }
  }

  private static long now() {
    return System.nanoTime() / 1_000_000;
  }
}
