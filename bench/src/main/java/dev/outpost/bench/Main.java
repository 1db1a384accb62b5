package dev.outpost.bench;

import dev.outpost.bench.benchmarks.AgentBench;
import dev.outpost.bench.benchmarks.CancelBench;
import dev.outpost.bench.benchmarks.ChannelBench;
import dev.outpost.bench.benchmarks.DeliveryBench;
import dev.outpost.bench.benchmarks.ExchangeBench;
import dev.outpost.bench.benchmarks.FanoutBench;
import dev.outpost.bench.benchmarks.IdleChannelsBench;
import dev.outpost.bench.benchmarks.JobsBench;
import dev.outpost.bench.benchmarks.ListingBench;
import dev.outpost.bench.benchmarks.PingBench;
import dev.outpost.bench.benchmarks.SaturationBench;
import dev.outpost.bench.support.Amqp;
import dev.outpost.bench.support.BenchDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark harness: {@code Main [name...]} runs the named benchmarks (all of them, in order,
 * when none is named), prints a table and writes raw results under {@code bench/results/<time>/}.
 */
public final class Main {

  private static final List<Benchmark> ALL =
      List.of(
          new ExchangeBench(),
          new FanoutBench(),
          new JobsBench(),
          new ListingBench(),
          new DeliveryBench(),
          new AgentBench(),
          new ChannelBench(),
          new CancelBench(),
          new IdleChannelsBench(),
          new SaturationBench(),
          new PingBench());

  private Main() {}

  public static void main(String[] args) throws Exception {
    BenchConfig config;
    List<Benchmark> chosen;
    try {
      config = BenchConfig.fromEnv(System.getenv());
      chosen = choose(args);
    } catch (IllegalArgumentException e) {
      System.err.println("bench: " + e.getMessage());
      System.exit(2);
      return;
    }
    Path root = Path.of(System.getProperty("bench.root", ".")).toAbsolutePath().normalize();
    Path results =
        Files.createDirectories(
            root.resolve("bench/results")
                .resolve(
                    LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
    Map<String, String> machine = machine(config);
    Files.writeString(
        results.resolve("machine.json"),
        new JsonObject(new LinkedHashMap<>(machine)).encodePrettily() + "\n");
    machine.forEach((k, v) -> System.out.printf("%-12s %s%n", k, v));
    System.out.println("results in   " + results + (config.quick() ? "  (quick mode)" : ""));

    Vertx vertx = Vertx.vertx();
    Report report = new Report(results);
    Context ctx = new Context(config, root, results, vertx);
    List<String> failed = new ArrayList<>();
    long start = System.nanoTime();
    for (Benchmark benchmark : chosen) {
      long began = System.nanoTime();
      System.out.println("\n== " + benchmark.name());
      try {
        benchmark.run(ctx, report);
      } catch (Exception | AssertionError e) {
        failed.add(benchmark.name());
        System.out.println("bench: " + benchmark.name() + " failed: " + e);
        e.printStackTrace(System.out);
      }
      System.out.printf("== %s took %.0f s%n", benchmark.name(), (System.nanoTime() - began) / 1e9);
    }
    vertx.close().toCompletionStage().toCompletableFuture().join();
    System.out.println("\n" + report.table());
    System.out.printf(
        "all took %.0f s; results in %s%n", (System.nanoTime() - start) / 1e9, results);
    if (!failed.isEmpty()) {
      System.out.println("failed: " + String.join(" ", failed));
      System.exit(1);
    }
  }

  private static List<Benchmark> choose(String[] names) {
    if (names.length == 0) {
      return ALL;
    }
    List<Benchmark> chosen = new ArrayList<>();
    for (Benchmark benchmark : ALL) {
      for (String name : names) {
        if (name.equals(benchmark.name())) {
          chosen.add(benchmark);
        }
      }
    }
    for (String name : names) {
      if (ALL.stream().noneMatch(b -> b.name().equals(name))) {
        throw new IllegalArgumentException(
            "no benchmark named '"
                + name
                + "'; known: "
                + String.join(" ", ALL.stream().map(Benchmark::name).toList()));
      }
    }
    return chosen;
  }

  /** What the figures were measured on. */
  private static Map<String, String> machine(BenchConfig config) {
    Map<String, String> machine = new LinkedHashMap<>();
    machine.put("cores", String.valueOf(Runtime.getRuntime().availableProcessors()));
    machine.put("memory", read("/proc/meminfo", "MemTotal:").replaceAll("\\s+", " "));
    machine.put("cpu", read("/proc/cpuinfo", "model name").replaceFirst("^\\s*:\\s*", ""));
    machine.put("kernel", read("/proc/version", "").split(" ")[2]);
    machine.put(
        "java",
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    machine.put("vertx", resource("META-INF/vertx/vertx-version.txt"));
    try (BenchDatabase probe = BenchDatabase.create(config.pgUrl(), "probe")) {
      machine.put("postgresql", probe.serverVersion());
    } catch (Exception e) {
      machine.put("postgresql", "unreachable: " + e.getMessage());
    }
    machine.put("rabbitmq", Amqp.version(config.amqpUrl()));
    return machine;
  }

  private static String read(String file, String prefix) {
    try {
      for (String line : Files.readAllLines(Path.of(file))) {
        if (line.startsWith(prefix)) {
          return line.substring(prefix.length()).strip();
        }
      }
    } catch (Exception e) {
      return "unknown";
    }
    return "unknown";
  }

  private static String resource(String name) {
    try (InputStream in = Main.class.getClassLoader().getResourceAsStream(name)) {
      return in == null ? "unknown" : new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    } catch (Exception e) {
      return "unknown";
    }
  }
}
