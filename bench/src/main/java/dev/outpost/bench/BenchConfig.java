package dev.outpost.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Sizes and durations of the benchmarks, from {@code BENCH_*} environment variables; the defaults
 * are the sizes the performance goals name, {@code BENCH_QUICK=1} makes every default small for a
 * smoke check (an explicit variable still wins).
 *
 * @param pgUrl the PostgreSQL server (no database: each benchmark creates and drops its own)
 * @param amqpUrl RabbitMQ
 * @param runs measured runs of every figure, after warming up
 * @param runSeconds length of one measured run of a throughput figure
 * @param warmupSeconds warm-up before the measured runs of a throughput or listing figure
 * @param concurrency requests in flight from the load generator
 * @param exchangeAgents fleet sizes of the exchange benchmark
 * @param fanoutComputers computers one fan-out request names
 * @param jobsActivities server activities per measured run
 * @param listingRows activities generated for the listing benchmark
 * @param listingRequests requests per measured listing run
 * @param deliverySamples activities timed per measured delivery run
 * @param deliveryIntervals the agent's ping and urgent-exchange intervals, one setting per figure
 * @param agentIdleSeconds how long the idle agent is watched
 * @param simulatedAgents agents of the simulated fleet whose footprint is measured
 * @param simulatedSeconds how long the simulated fleet is watched once registered
 * @param channelAgents simulated agents holding channels in the channel benchmark
 * @param saturationAgents simulated agents of the open model's saturation ramp
 * @param saturationSeconds how long each target rate of that ramp is held
 * @param saturationStartRate the ramp's first target rate, in exchanges per second
 * @param channelSamples activities timed per measured run of the channel benchmark
 * @param cancelSamples cancels timed per measured run of the cancel benchmark
 * @param idleChannels simulated agents holding idle channels in the idle-channels benchmark; 0
 *     leaves it out
 * @param pingComputers computers of the ping benchmark, each pinging in turn
 * @param jfr record the server with Java Flight Recorder
 * @param serverJavaOpts extra JVM options for the server process
 */
public record BenchConfig(
    boolean quick,
    String pgUrl,
    String amqpUrl,
    int runs,
    int runSeconds,
    int warmupSeconds,
    int concurrency,
    List<Integer> exchangeAgents,
    int fanoutComputers,
    int jobsActivities,
    long listingRows,
    int listingRequests,
    int deliverySamples,
    List<String> deliveryIntervals,
    int agentIdleSeconds,
    int simulatedAgents,
    int simulatedSeconds,
    int channelAgents,
    int channelSamples,
    int cancelSamples,
    int idleChannels,
    int saturationAgents,
    int saturationSeconds,
    int saturationStartRate,
    int pingComputers,
    boolean jfr,
    String serverJavaOpts) {

  /** Reads the configuration. */
  public static BenchConfig fromEnv(Map<String, String> env) {
    boolean quick = "1".equals(env.get("BENCH_QUICK"));
    Reader r = new Reader(env, quick);
    return new BenchConfig(
        quick,
        r.text("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432"),
        r.text("BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672"),
        r.integer("BENCH_RUNS", 5, 5),
        r.integer("BENCH_RUN_SECONDS", 10, 2),
        r.integer("BENCH_WARMUP_SECONDS", 30, 2),
        r.integer("BENCH_CONCURRENCY", 256, 64),
        Arrays.stream(
                r.text("BENCH_EXCHANGE_AGENTS", quick ? "200,1000" : "1000,10000,100000")
                    .split(","))
            .map(String::strip)
            .map(Integer::parseInt)
            .toList(),
        r.integer("BENCH_FANOUT_COMPUTERS", 100_000, 5_000),
        r.integer("BENCH_JOBS_ACTIVITIES", 20_000, 2_000),
        Long.parseLong(r.text("BENCH_LISTING_ROWS", quick ? "200000" : "10000000")),
        r.integer("BENCH_LISTING_REQUESTS", 2000, 100),
        r.integer("BENCH_DELIVERY_SAMPLES", 20, 5),
        Arrays.stream(r.text("BENCH_DELIVERY_INTERVALS", "100ms,1s").split(","))
            .map(String::strip)
            .toList(),
        r.integer("BENCH_AGENT_IDLE_SECONDS", 600, 20),
        r.integer("BENCH_SIMULATED_AGENTS", 10_000, 500),
        r.integer("BENCH_SIMULATED_SECONDS", 120, 20),
        r.integer("BENCH_CHANNEL_AGENTS", 10_000, 500),
        r.integer("BENCH_CHANNEL_SAMPLES", 100, 20),
        r.integer("BENCH_CANCEL_SAMPLES", 20, 5),
        r.integer("BENCH_IDLE_CHANNELS", 0, 0),
        r.integer("BENCH_SATURATION_AGENTS", 2000, 200),
        r.integer("BENCH_SATURATION_SECONDS", 20, 5),
        r.integer("BENCH_SATURATION_START_RATE", 200, 100),
        r.integer("BENCH_PING_COMPUTERS", 100_000, 10_000),
        "1".equals(env.get("BENCH_JFR")),
        r.text("BENCH_SERVER_JAVA_OPTS", ""));
  }

  private record Reader(Map<String, String> env, boolean quick) {
    String text(String name, String fallback) {
      String value = env.get(name);
      return value == null || value.isBlank() ? fallback : value.strip();
    }

    int integer(String name, int full, int small) {
      String value = env.get(name);
      if (value == null || value.isBlank()) {
        return quick ? small : full;
      }
      try {
        return Integer.parseInt(value.strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + " must be a whole number, not '" + value + "'");
      }
    }
  }
}
