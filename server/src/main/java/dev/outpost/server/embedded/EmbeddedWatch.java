package dev.outpost.server.embedded;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the embedded services running: every second it looks whether each runs, and one that
 * stopped (the kernel's OOM killer took PostgreSQL, a store failure stopped the broker) is started
 * again on its data, a few times with growing pauses between. Meanwhile the server answers 503 and
 * its clients reconnect, as they do to an external PostgreSQL or RabbitMQ. One that does not start
 * again makes the process exit with status 1, for systemd (or whoever runs it) to start it afresh.
 */
public final class EmbeddedWatch implements AutoCloseable {

  /** A service watched: how to tell it runs and how to start it again. */
  public record Service(String name, BooleanSupplier running, Runnable restart) {

    /** The embedded PostgreSQL. */
    public static Service of(EmbeddedDatabase database) {
      return new Service("embedded postgresql", database::running, database::restart);
    }

    /** The embedded broker. */
    public static Service of(EmbeddedBroker broker) {
      return new Service("embedded broker", broker::running, broker::restart);
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedWatch.class);
  private static final Duration INTERVAL = Duration.ofSeconds(1);

  /** Tries to start a service again, the pauses between them doubling from a second: ~2 minutes. */
  static final int ATTEMPTS = 7;

  private final List<Service> services;
  private final Runnable giveUp;
  private final Duration firstPause;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          task -> {
            Thread thread = new Thread(task, "outpost-embedded-watch");
            thread.setDaemon(true);
            return thread;
          });
  private volatile boolean closed;

  /**
   * Starts watching.
   *
   * @param giveUp what to do when a service does not start again (the server exits with status 1)
   */
  public static EmbeddedWatch start(List<Service> services, Runnable giveUp) {
    return start(services, giveUp, INTERVAL, Duration.ofSeconds(1));
  }

  static EmbeddedWatch start(
      List<Service> services, Runnable giveUp, Duration interval, Duration firstPause) {
    EmbeddedWatch watch = new EmbeddedWatch(services, giveUp, firstPause);
    watch.timer.scheduleWithFixedDelay(
        watch::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    return watch;
  }

  private EmbeddedWatch(List<Service> services, Runnable giveUp, Duration firstPause) {
    this.services = List.copyOf(services);
    this.giveUp = giveUp;
    this.firstPause = firstPause;
  }

  private void check() {
    for (Service service : services) {
      if (closed || service.running().getAsBoolean()) {
        continue;
      }
      LOG.error("{} stopped running; starting it again on its data", service.name());
      if (!revive(service) && !closed) {
        LOG.error(
            "{} did not start again after {} attempts; exiting for a fresh start",
            service.name(),
            ATTEMPTS);
        closed = true;
        giveUp.run();
        return;
      }
    }
  }

  private boolean revive(Service service) {
    long pause = firstPause.toMillis();
    for (int attempt = 1; attempt <= ATTEMPTS && !closed; attempt++) {
      try {
        service.restart().run();
        if (service.running().getAsBoolean()) {
          return true;
        }
      } catch (RuntimeException e) {
        LOG.warn(
            "{} did not start again [attempt: {}, cause: {}]",
            service.name(),
            attempt,
            e.toString());
      }
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return closed;
      }
      pause *= 2;
    }
    return closed;
  }

  /** Stops watching, before the services are closed; does not wait for a check under way. */
  @Override
  public void close() {
    closed = true;
    timer.shutdownNow();
  }
}
