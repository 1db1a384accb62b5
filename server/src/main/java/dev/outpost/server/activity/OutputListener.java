package dev.outpost.server.activity;

import dev.outpost.server.db.Notices;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells this server's followers of activities' output when it grew or the activity ended, whichever
 * instance stored it: it hears {@link ActivityOutput#CHANNEL}. While notices do not reach this
 * process nothing is told; once they do again every follower is told to look, for what it missed.
 */
public final class OutputListener implements Notices.Subscriber {

  private static final Logger LOG = LoggerFactory.getLogger(OutputListener.class);

  private final Map<Long, Set<Runnable>> followers = new ConcurrentHashMap<>();

  /**
   * Runs {@code changed} whenever the activity's output may have changed, until the returned handle
   * is run. It runs on the listening connection's context: a follower hands the work to its own.
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
      Set<Runnable> set = followers.get(Long.parseLong(payload));
      if (set != null) {
        List.copyOf(set).forEach(Runnable::run);
      }
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
}
