package dev.outpost.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** The server's meters, scraped in Prometheus's text format at {@code GET /metrics}. */
public final class ServerMetrics {

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Timer exchanges;
  private final DistributionSummary exchangeBatches;
  private final Timer webhookLag;

  /** Creates the registry with the JVM's meters bound. */
  public ServerMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    exchanges =
        Timer.builder("outpost.exchanges")
            .description("message exchanges answered, by duration")
            .publishPercentileHistogram()
            .register(registry);
    exchangeBatches =
        DistributionSummary.builder("outpost.exchange.batch")
            .description("exchanges answered in one transaction")
            .register(registry);
    // every series the dashboard draws exists from the start, at 0, not from its first event
    for (String kind : new String[] {"client", "server"}) {
      activitiesCreated(kind);
    }
    for (String status : new String[] {"succeeded", "failed", "canceled"}) {
      jobsFinished(status);
    }
    for (String outcome : new String[] {"delivered", "failed", "abandoned"}) {
      webhookDeliveries(outcome);
    }
    scheduled();
    quarantined();
    webhookLag =
        Timer.builder("outpost.webhook.lag")
            .description("time from an event to its delivery to a webhook")
            .publishPercentileHistogram()
            .register(registry);
  }

  /** The registry, for meters of other parts. */
  public MeterRegistry registry() {
    return registry;
  }

  /** Times message exchanges. */
  public Timer exchanges() {
    return exchanges;
  }

  /** Sizes of the batches of exchanges answered in one transaction. */
  public DistributionSummary exchangeBatches() {
    return exchangeBatches;
  }

  /** Counts activities created, by kind. */
  public Counter activitiesCreated(String kind) {
    return registry.counter("outpost.created.activities", "kind", kind);
  }

  /** Counts server jobs finished, by outcome. */
  public Counter jobsFinished(String status) {
    return registry.counter("outpost.jobs.finished", "status", status);
  }

  /** Counts client messages set aside unread or refused by the database. */
  public Counter quarantined() {
    return registry.counter("outpost.quarantined.messages");
  }

  /** Counts activities the scheduler moved. */
  public Counter scheduled() {
    return registry.counter("outpost.scheduler.moved");
  }

  /** Counts events sent on event streams. */
  public Counter eventsStreamed() {
    return registry.counter("outpost.events.streamed");
  }

  /**
   * Counts webhook delivery attempts by outcome: {@code delivered}, {@code failed} (to be retried),
   * {@code abandoned} (given up with their disabled webhook).
   */
  public Counter webhookDeliveries(String outcome) {
    return registry.counter("outpost.webhook.deliveries", "outcome", outcome);
  }

  /** Times from an event to its delivery to a webhook. */
  public Timer webhookLag() {
    return webhookLag;
  }

  /** Everything, in Prometheus's text exposition format. */
  public String scrape() {
    return registry.scrape();
  }
}
