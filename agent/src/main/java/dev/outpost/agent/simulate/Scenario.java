package dev.outpost.agent.simulate;

import dev.outpost.agent.config.Durations;
import dev.outpost.agent.handlers.Latency;
import dev.outpost.agent.handlers.SimulatedHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * What a simulated fleet does, read from a scenario file (YAML, or JSON, which YAML 1.2 reads): the
 * load model, the reports each agent sends at registration and afterwards with their sizes, and how
 * the simulated handlers answer. docs/scenario-example.yaml shows every key.
 *
 * @param name shown in the report
 * @param seed makes each agent's reports the same from run to run (and from shard to shard)
 * @param agents how many agents, unless the command line says
 * @param model {@code closed} or {@code open}, unless the command line says
 * @param phases the open model's target rate
 * @param reports the reports, by message type
 * @param sendUnaccepted send reports of types the server does not accept all the same (the
 *     Landscape Client never does), to see what the server does with them
 * @param handlers how operations of each message type behave; {@code default} for the others
 */
public record Scenario(
    String name,
    long seed,
    Optional<Integer> agents,
    Optional<String> model,
    Optional<RateProfile> phases,
    Map<String, Report> reports,
    boolean sendUnaccepted,
    Map<String, SimulatedHandler.Profile> handlers) {

  /** The key of the handler profile of message types not named. */
  public static final String DEFAULT_HANDLER = "default";

  /** The scenario file's largest size: a scenario is a page of settings. */
  static final int MAX_BYTES = 1 << 20;

  /**
   * A report a simulated agent sends: at registration, then every {@code every} with {@code
   * changes} changes.
   */
  public record Report(
      String type, boolean atRegistration, Optional<Duration> every, Map<String, Long> sizes) {

    /** One of the sizes, by its key. */
    public long size(String key) {
      return sizes.getOrDefault(key, 0L);
    }
  }

  /** The report types the simulator makes, with their sizes and the defaults. */
  static final Map<String, Map<String, Long>> REPORT_SIZES =
      Map.of(
          "computer-info",
          Map.of("memory-mib", 8192L, "swap-mib", 2048L, "annotations", 0L),
          "distribution-info",
          Map.of(),
          "hardware-info",
          Map.of("bytes", 40_000L),
          "users",
          Map.of("users", 30L, "groups", 50L, "changes", 1L),
          "packages",
          Map.of(
              "installed",
              1_800L,
              "available",
              70_000L,
              "upgrades",
              40L,
              "security",
              10L,
              "changes",
              5L));

  public Scenario {
    reports = Map.copyOf(reports);
    handlers = Map.copyOf(handlers);
  }

  /** A scenario of no reports, whose handlers all behave as {@code handler} says. */
  public static Scenario plain(SimulatedHandler.Profile handler) {
    return new Scenario(
        "plain",
        0,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Map.of(),
        false,
        Map.of(DEFAULT_HANDLER, handler));
  }

  /** The profile of a message type's handler. */
  public SimulatedHandler.Profile handler(String type) {
    return handlers.getOrDefault(type, handlers.get(DEFAULT_HANDLER));
  }

  /**
   * Reads a scenario file.
   *
   * @throws ScenarioException naming the file, the key and the problem
   */
  public static Scenario load(Path file, SimulatedHandler.Profile defaultHandler) {
    String text;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new ScenarioException(file + ": larger than " + MAX_BYTES + " bytes");
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ScenarioException(file + ": cannot be read: " + e.getMessage());
    }
    return parse(text, file.toString(), defaultHandler);
  }

  /**
   * Reads a scenario from its text.
   *
   * @param source the file's name, for the errors
   * @param defaultHandler how handlers behave unless the scenario says
   * @throws ScenarioException naming the source, the key and the problem
   */
  public static Scenario parse(
      String text, String source, SimulatedHandler.Profile defaultHandler) {
    Object root;
    try {
      root = new Load(LoadSettings.builder().setLabel(source).build()).loadFromString(text);
    } catch (YamlEngineException e) {
      throw new ScenarioException(source + ": not YAML or JSON: " + e.getMessage().strip());
    }
    if (root == null) {
      root = Map.of();
    }
    Node top = new Node(source, "", root);
    Map<String, Node> fields =
        top.fields(Set.of("name", "seed", "agents", "model", "phases", "reports", "handlers"));
    String model = null;
    if (fields.containsKey("model")) {
      model = fields.get("model").text();
      if (!model.equals("open") && !model.equals("closed")) {
        throw fields.get("model").problem("must be open or closed, not '" + model + "'");
      }
    }
    Optional<RateProfile> phases = Optional.ofNullable(fields.get("phases")).map(Scenario::phases);
    if ("open".equals(model) && phases.isEmpty()) {
      throw top.problem("the open model needs phases (its target rate)");
    }
    Map<String, Report> reports = new LinkedHashMap<>();
    boolean sendUnaccepted = false;
    if (fields.containsKey("reports")) {
      Set<String> known = new TreeSet<>(REPORT_SIZES.keySet());
      known.add("send-unaccepted");
      for (Map.Entry<String, Node> entry : fields.get("reports").fields(known).entrySet()) {
        if (entry.getKey().equals("send-unaccepted")) {
          sendUnaccepted = entry.getValue().bool();
        } else {
          reports.put(entry.getKey(), report(entry.getKey(), entry.getValue()));
        }
      }
    }
    Map<String, SimulatedHandler.Profile> handlers = new LinkedHashMap<>();
    handlers.put(DEFAULT_HANDLER, defaultHandler);
    if (fields.containsKey("handlers")) {
      for (Map.Entry<String, Node> entry : fields.get("handlers").fields(null).entrySet()) {
        handlers.put(entry.getKey(), handler(entry.getValue(), defaultHandler));
      }
    }
    Optional<Integer> agents = Optional.empty();
    if (fields.containsKey("agents")) {
      agents = Optional.of((int) fields.get("agents").integer(1, 10_000_000));
    }
    return new Scenario(
        fields.containsKey("name") ? fields.get("name").text() : source,
        fields.containsKey("seed") ? fields.get("seed").integer(Long.MIN_VALUE, Long.MAX_VALUE) : 0,
        agents,
        Optional.ofNullable(model),
        phases,
        reports,
        sendUnaccepted,
        handlers);
  }

  private static RateProfile phases(Node node) {
    List<RateProfile.Phase> phases = new ArrayList<>();
    for (Node item : node.list()) {
      Map<String, Node> one = item.fields(Set.of("ramp", "hold", "spike"));
      if (one.size() != 1) {
        throw item.problem("a phase is one of ramp, hold or spike");
      }
      Map.Entry<String, Node> kind = one.entrySet().iterator().next();
      Node body = kind.getValue();
      if (kind.getKey().equals("ramp")) {
        Map<String, Node> f = body.fields(Set.of("from", "to", "over"));
        phases.add(
            new RateProfile.Phase(
                "ramp",
                body.required(f, "from").rate(),
                body.required(f, "to").rate(),
                seconds(body.required(f, "over"))));
      } else {
        Map<String, Node> f = body.fields(Set.of("rate", "for"));
        double rate = body.required(f, "rate").rate();
        phases.add(
            new RateProfile.Phase(kind.getKey(), rate, rate, seconds(body.required(f, "for"))));
      }
    }
    if (phases.isEmpty()) {
      throw node.problem("needs at least one phase");
    }
    return new RateProfile(phases);
  }

  private static double seconds(Node node) {
    Duration d = node.duration();
    if (d.isZero()) {
      throw node.problem("must be longer than 0");
    }
    return d.toMillis() / 1000.0;
  }

  private static Report report(String type, Node node) {
    Map<String, Long> defaults = REPORT_SIZES.get(type);
    Set<String> known = new TreeSet<>(defaults.keySet());
    known.add("at-registration");
    known.add("every");
    Map<String, Node> f = node.fields(known);
    Map<String, Long> sizes = new LinkedHashMap<>(defaults);
    for (String key : defaults.keySet()) {
      if (f.containsKey(key)) {
        sizes.put(key, f.get(key).integer(0, key.equals("bytes") ? 16_000_000 : 1_000_000));
      }
    }
    Optional<Duration> every = Optional.empty();
    if (f.containsKey("every")) {
      Duration d = f.get("every").duration();
      if (d.compareTo(Duration.ofSeconds(1)) < 0) {
        throw f.get("every").problem("must be 1s or more");
      }
      every = Optional.of(d);
    }
    boolean atRegistration = !f.containsKey("at-registration") || f.get("at-registration").bool();
    return new Report(type, atRegistration, every, sizes);
  }

  private static SimulatedHandler.Profile handler(Node node, SimulatedHandler.Profile fallback) {
    Map<String, Node> f = node.fields(Set.of("latency", "failure-rate", "result-bytes"));
    Latency latency = f.containsKey("latency") ? latency(f.get("latency")) : fallback.latency();
    double failureRate =
        f.containsKey("failure-rate") ? f.get("failure-rate").fraction() : fallback.failureRate();
    int resultBytes =
        f.containsKey("result-bytes")
            ? (int) f.get("result-bytes").integer(0, 1_000_000)
            : fallback.resultBytes();
    return new SimulatedHandler.Profile(latency, failureRate, resultBytes);
  }

  private static Latency latency(Node node) {
    Map<String, Node> one = node.fields(Set.of("fixed", "uniform", "exponential", "lognormal"));
    if (one.size() != 1) {
      throw node.problem("a latency is one of fixed, uniform, exponential or lognormal");
    }
    Map.Entry<String, Node> kind = one.entrySet().iterator().next();
    Node body = kind.getValue();
    try {
      return switch (kind.getKey()) {
        case "fixed" -> new Latency.Fixed(body.duration());
        case "exponential" -> new Latency.Exponential(body.duration());
        case "uniform" -> {
          Map<String, Node> f = body.fields(Set.of("min", "max"));
          yield new Latency.Uniform(
              body.required(f, "min").duration(), body.required(f, "max").duration());
        }
        default -> {
          Map<String, Node> f = body.fields(Set.of("median", "p99"));
          yield new Latency.LogNormal(
              body.required(f, "median").duration(), body.required(f, "p99").duration());
        }
      };
    } catch (IllegalArgumentException e) {
      if (e instanceof ScenarioException) {
        throw e;
      }
      throw body.problem(e.getMessage());
    }
  }

  /** A scenario file that cannot be used; the message names the file, the key and the problem. */
  public static final class ScenarioException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    ScenarioException(String message) {
      super(message);
    }
  }

  /** A value of the file, and where it is, for the errors. */
  private record Node(String source, String path, Object value) {

    ScenarioException problem(String what) {
      return new ScenarioException(source + ": " + (path.isEmpty() ? "" : path + ": ") + what);
    }

    /** The keys of a mapping; any key outside {@code known} (when given) is an error. */
    Map<String, Node> fields(Set<String> known) {
      if (!(value instanceof Map<?, ?> map)) {
        throw problem("expected a mapping (key: value), got " + describe(value));
      }
      Map<String, Node> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        String key = String.valueOf(entry.getKey());
        if (known != null && !known.contains(key)) {
          throw problem(
              "unknown key '" + key + "'; known keys: " + String.join(", ", new TreeSet<>(known)));
        }
        out.put(key, new Node(source, path.isEmpty() ? key : path + "." + key, entry.getValue()));
      }
      return out;
    }

    Node required(Map<String, Node> fields, String key) {
      Node node = fields.get(key);
      if (node == null) {
        throw problem("'" + key + "' is missing");
      }
      return node;
    }

    List<Node> list() {
      if (!(value instanceof List<?> items)) {
        throw problem("expected a list, got " + describe(value));
      }
      List<Node> out = new ArrayList<>();
      for (int i = 0; i < items.size(); i++) {
        out.add(new Node(source, path + "[" + i + "]", items.get(i)));
      }
      return out;
    }

    String text() {
      if (value instanceof Map || value instanceof List || value == null) {
        throw problem("expected a text, got " + describe(value));
      }
      return String.valueOf(value);
    }

    boolean bool() {
      if (!(value instanceof Boolean b)) {
        throw problem("expected true or false, got " + describe(value));
      }
      return b;
    }

    long integer(long min, long max) {
      if (!(value instanceof Number n) || value instanceof Double || value instanceof Float) {
        throw problem("expected a whole number, got " + describe(value));
      }
      long v = n.longValue();
      if (!(value instanceof Long || value instanceof Integer) || v < min || v > max) {
        throw problem("must be between " + min + " and " + max + ", got " + value);
      }
      return v;
    }

    double rate() {
      if (!(value instanceof Number n) || n.doubleValue() < 0 || n.doubleValue() > 1_000_000) {
        throw problem("expected exchanges per second, 0 to 1000000, got " + describe(value));
      }
      return n.doubleValue();
    }

    double fraction() {
      if (!(value instanceof Number n) || n.doubleValue() < 0 || n.doubleValue() > 1) {
        throw problem("expected a number from 0 to 1, got " + describe(value));
      }
      return n.doubleValue();
    }

    Duration duration() {
      String text = value instanceof Number ? String.valueOf(value) : text();
      try {
        return Durations.parse(text);
      } catch (RuntimeException e) {
        throw problem(
            "'" + text + "' is not a duration: give seconds (900) or a number with ms, s, m or h");
      }
    }

    private static String describe(Object value) {
      if (value == null) {
        return "nothing";
      }
      if (value instanceof Map) {
        return "a mapping";
      }
      if (value instanceof List) {
        return "a list";
      }
      return "'" + value + "'";
    }
  }
}
