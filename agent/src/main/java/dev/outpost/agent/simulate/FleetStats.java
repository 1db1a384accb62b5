package dev.outpost.agent.simulate;

import dev.outpost.agent.exchange.AgentListener;
import dev.outpost.agent.exchange.ExchangeFailure;
import dev.outpost.agent.exchange.Protocol;
import dev.outpost.common.error.OutpostException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import java.io.IOException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the simulated agents did, counted from any thread: exchanges and their latencies (an
 * HdrHistogram, in microseconds), failed exchanges by kind, operations, reports; and, once a second
 * ({@link #sample}), a row of the time series.
 */
public final class FleetStats implements AgentListener {

  /** Error kinds kept apart; past this many, the rest count as "other". */
  static final int MAX_KINDS = 32;

  /** The longest example message kept of an error kind. */
  static final int MAX_SAMPLE = 300;

  /** Latencies as recorded: microseconds, three significant digits, the range growing as needed. */
  static final int DIGITS = 3;

  private final LongAdder registered = new LongAdder();
  private final LongAdder exchanges = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final LongAdder answered = new LongAdder();
  private final LongAdder failedOperations = new LongAdder();
  private final LongAdder resultsSent = new LongAdder();
  private final LongAdder targeted = new LongAdder();
  private final Map<String, LongAdder> errorKinds = new ConcurrentHashMap<>();
  private final Map<String, String> errorSamples = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> reportsSent = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> reportsNotAccepted = new ConcurrentHashMap<>();
  private final Recorder recorder = new Recorder(DIGITS);

  // touched by sample() only, under its lock
  private final Histogram total = new Histogram(DIGITS);
  private final List<LoadReport.Second> seconds = new ArrayList<>();
  private Histogram interval;
  private long lastExchanges;
  private long lastTargeted;
  private Map<String, Long> lastKinds = Map.of();

  @Override
  public void registered() {
    registered.increment();
  }

  @Override
  public void exchanged(Protocol.Outcome outcome, long nanos) {
    exchanges.increment();
    resultsSent.add(outcome.repliesDelivered());
    recorder.recordValue(Math.max(1, nanos / 1000));
  }

  @Override
  public void exchangeFailed(Throwable cause, long nanos) {
    error(kind(cause), cause.getMessage());
  }

  @Override
  public void answered(long operationId, boolean success) {
    answered.increment();
    if (!success) {
      failedOperations.increment();
    }
  }

  /** An exchange of the open model's schedule was due. */
  void scheduled() {
    targeted.increment();
  }

  /** An exchange of the open model's schedule was dropped: too many waited for a free agent. */
  void notSent() {
    error("not sent", "too many exchanges waited for a free agent: add agents");
  }

  /** A report was queued, or not because the server does not accept its type. */
  void reported(String type, boolean queued) {
    (queued ? reportsSent : reportsNotAccepted)
        .computeIfAbsent(type, t -> new LongAdder())
        .increment();
  }

  private void error(String kind, String message) {
    errors.increment();
    String k = errorKinds.size() >= MAX_KINDS && !errorKinds.containsKey(kind) ? "other" : kind;
    errorKinds.computeIfAbsent(k, x -> new LongAdder()).increment();
    if (message != null) {
      errorSamples.putIfAbsent(
          k, message.length() <= MAX_SAMPLE ? message : message.substring(0, MAX_SAMPLE) + "...");
    }
  }

  /** The kind of a failed exchange: its HTTP status, or what kept it from getting one. */
  static String kind(Throwable cause) {
    if (cause instanceof ExchangeFailure failure) {
      if (failure.status() == 200) {
        return "bad response";
      }
      if (failure.status() > 0) {
        return "http " + failure.status();
      }
      Throwable inner = failure.getCause();
      if (inner instanceof ConnectionPoolTooBusyException) {
        // the simulator's own limit: more requests waited for its connections than it keeps
        return "simulator busy";
      }
      if (inner instanceof TimeoutException
          || (inner != null && inner.getClass().getSimpleName().contains("Timeout"))) {
        return "timeout";
      }
      if (inner instanceof ConnectException) {
        return "connect";
      }
      if (inner instanceof IOException) {
        return "connection";
      }
      return "other";
    }
    return cause instanceof OutpostException ? "bad response" : "other";
  }

  /**
   * Closes the second that ended at {@code epochSecond + 1}: what was counted since the last sample
   * becomes its row of the time series.
   */
  public synchronized void sample(long epochSecond) {
    interval = recorder.getIntervalHistogram(interval);
    total.add(interval);
    long ex = exchanges.sum();
    long tg = targeted.sum();
    Map<String, Long> kinds = sums(errorKinds);
    Map<String, Long> delta = new TreeMap<>();
    kinds.forEach(
        (kind, n) -> {
          long d = n - lastKinds.getOrDefault(kind, 0L);
          if (d != 0) {
            delta.put(kind, d);
          }
        });
    seconds.add(
        LoadReport.Second.of(epochSecond, ex - lastExchanges, tg - lastTargeted, delta, interval));
    lastExchanges = ex;
    lastTargeted = tg;
    lastKinds = kinds;
  }

  /** The time series so far, and the totals, as a report. */
  public synchronized LoadReport report(LoadReport.Run run) {
    return new LoadReport(
        run,
        new LoadReport.Totals(
            exchanges.sum(),
            errors.sum(),
            targeted.sum(),
            registered.sum(),
            answered.sum(),
            failedOperations.sum(),
            resultsSent.sum(),
            sums(errorKinds),
            new TreeMap<>(errorSamples),
            sums(reportsSent),
            sums(reportsNotAccepted)),
        total.copy(),
        List.copyOf(seconds));
  }

  private static Map<String, Long> sums(Map<String, LongAdder> adders) {
    Map<String, Long> out = new TreeMap<>();
    adders.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** Agents that registered. */
  public long agentsRegistered() {
    return registered.sum();
  }

  /** Exchanges that succeeded. */
  public long exchanges() {
    return exchanges.sum();
  }

  /** Exchanges that failed, and those of the open model's schedule not sent. */
  public long errors() {
    return errors.sum();
  }

  /** Exchanges the open model's schedule made due. */
  public long targeted() {
    return targeted.sum();
  }

  /** Operations answered, and of them how many failed. */
  public long answered() {
    return answered.sum();
  }

  /** Operations answered with a failure. */
  public long failedOperations() {
    return failedOperations.sum();
  }

  /** Replies the server acknowledged. */
  public long resultsSent() {
    return resultsSent.sum();
  }

  /** Reports queued, by type. */
  public Map<String, Long> reportsSent() {
    return sums(reportsSent);
  }
}
