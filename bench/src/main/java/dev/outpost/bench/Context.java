package dev.outpost.bench;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What every benchmark gets: the configuration, where things are, the harness's Vert.x. */
public final class Context {

  private final BenchConfig config;
  private final Path root;
  private final Path results;
  private final Vertx vertx;

  Context(BenchConfig config, Path root, Path results, Vertx vertx) {
    this.config = config;
    this.root = root;
    this.results = results;
    this.vertx = vertx;
  }

  public BenchConfig config() {
    return config;
  }

  /** The root of the source tree. */
  public Path root() {
    return root;
  }

  /**
   * JVM options for agent processes on top of those scripts/agent gives (from the options file next
   * to the agent's jar), when set; later options win.
   */
  public java.util.Optional<String> agentJavaOpts() {
    return java.util.Optional.ofNullable(System.getenv("BENCH_AGENT_JAVA_OPTS"))
        .filter(v -> !v.isBlank());
  }

  /** Where this run's raw results, logs and recordings go. */
  public Path results() {
    return results;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The server's fat jar, as {@code mvn package} built it. */
  public Path serverJar() {
    return built(root.resolve("server/target/outpost-server.jar"));
  }

  /** The agent's fat jar. */
  public Path agentJar() {
    return built(root.resolve("agent/target/outpost-agent.jar"));
  }

  /**
   * The options file one real agent's JVM is started with ({@code java @file}), as the build put it
   * next to the agent's jar.
   */
  public Path agentJvmOptions() {
    return built(root.resolve("agent/target/outpost-agent.args"));
  }

  /** The class path of this harness, for child JVMs running its own main classes. */
  public String classpath() {
    return System.getProperty("java.class.path");
  }

  /**
   * JVM options of a server process: the configured extras, and a flight recording into the results
   * directory when asked for.
   */
  public List<String> serverJvmOptions(String label) {
    List<String> options = new ArrayList<>();
    if (!config.serverJavaOpts().isBlank()) {
      options.addAll(List.of(config.serverJavaOpts().strip().split("\\s+")));
    }
    if (config.jfr()) {
      options.add(
          "-XX:StartFlightRecording=filename="
              + results.resolve(label + ".jfr")
              + ",settings=profile,dumponexit=true");
    }
    return options;
  }

  private static Path built(Path jar) {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing; scripts/bench builds it");
    }
    return jar;
  }
}
