package dev.outpost.server.activity;

import dev.outpost.server.db.Notices;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells this server's followers of activities' output when it grew or the activity ended, whichever
 * instance stored it or ended it: it hears {@link ActivityOutput#CHANNEL} for output, and is told
 * of every notice of the event log ({@link #logged()}), which every transition sends, for ends.
 * While notices do not reach this process nothing is told; once they do again every follower is
 * told to look, for what it missed.
 *
 * <p>An end costs the statement that makes it nothing: while nobody follows, a notice of the event
 * log is ignored; while someone does, the notices of {@value #CHECK_DELAY_MILLIS} ms are answered
 * by one query for which followed activities ended, however many transitions they stand for.
 */
public final class OutputListener implements Notices.Subscriber {

  /** How long a notice of the event log waits for others before the followed ones are checked. */
  static final long CHECK_DELAY_MILLIS = 50;

  private static final Logger LOG = LoggerFactory.getLogger(OutputListener.class);

  private final Vertx vertx;
  private final ActivityOutput output;
  private final Map<Long, Set<Runnable>> followers = new ConcurrentHashMap<>();
  private final AtomicBoolean checkDue = new AtomicBoolean();

  /** Checks the ends of followed activities through {@code output}, on {@code vertx}'s timers. */
  public OutputListener(Vertx vertx, ActivityOutput output) {
    this.vertx = vertx;
    this.output = output;
  }

  /**
   * Runs {@code changed} whenever the activity's output may have changed or it may have ended,
   * until the returned handle is run. It runs on the listening connection's context: a follower
   * hands the work to its own.
   */
  public Runnable follow(long activityId, Runnable changed) {
    followers.computeIfAbsent(activityId, id -> ConcurrentHashMap.newKeySet()).add(changed);
    return () ->
        followers.computeIfPresent(
            activityId,
            (id, set) -> {
              set.remove(changed);
              return set.isEmpty() ? null : set;
            });
  }

  @Override
  public void notice(String payload) {
    try {
      tell(Long.parseLong(payload));
    } catch (NumberFormatException e) {
      LOG.warn("activity output notice without an activity id ignored [payload: {}]", payload);
    }
  }

  @Override
  public void listening(boolean listening) {
    if (listening) { // what was stored while nobody listened
      followers.values().forEach(set -> List.copyOf(set).forEach(Runnable::run));
    }
  }

  /**
   * Transitions were logged, and an activity someone follows may have ended: unless nobody follows,
   * the followed activities are checked within {@value #CHECK_DELAY_MILLIS} ms, once for all the
   * notices that come meanwhile, and the followers of those that ended are told.
   */
  public void logged() {
    if (followers.isEmpty() || !checkDue.compareAndSet(false, true)) {
      return;
    }
    vertx.setTimer(CHECK_DELAY_MILLIS, t -> check());
  }

  private void check() {
    // a notice from now on asks for another check: this one may read before its transition
    checkDue.set(false);
    List<Long> followed = List.copyOf(followers.keySet());
    if (followed.isEmpty()) {
      return;
    }
    output
        .finished(followed)
        .onSuccess(ended -> ended.forEach(this::tell))
        .onFailure(
            e ->
                LOG.warn(
                    "ends of followed activities not checked [followed: {}, problem: {}]",
                    followed.size(),
                    e.getMessage()));
  }

  private void tell(long activityId) {
    Set<Runnable> set = followers.get(activityId);
    if (set != null) {
      List.copyOf(set).forEach(Runnable::run);
    }
  }
}
