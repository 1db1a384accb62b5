package dev.outpost.agent.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.agent.handlers.Latency;
import dev.outpost.agent.handlers.SimulatedHandler;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Reading scenario files, and the errors they get. */
class ScenarioTest {

  private static final SimulatedHandler.Profile DEFAULT =
      new SimulatedHandler.Profile(new Latency.Fixed(Duration.ofSeconds(1)), 0, 0);

  /** Verifies that the documented example reads, with every key as written. */
  @Test
  void readsTheDocumentedExample() {
    Scenario s = Scenario.load(Path.of("../docs/scenario-example.yaml"), DEFAULT);

    assertThat(s.name()).isEqualTo("mixed Ubuntu fleet");
    assertThat(s.agents()).contains(1000);
    assertThat(s.model()).contains("open");
    RateProfile phases = s.phases().orElseThrow();
    assertThat(phases.phases())
        .extracting(RateProfile.Phase::kind)
        .containsExactly("ramp", "hold", "spike", "hold");
    assertThat(phases.seconds()).isEqualTo(60 + 300 + 30 + 120);
    assertThat(phases.count(phases.seconds())).isEqualTo(25 * 60 + 50 * 300 + 200 * 30 + 50 * 120);
    assertThat(s.reports())
        .containsOnlyKeys(
            "computer-info", "distribution-info", "hardware-info", "users", "packages");
    assertThat(s.reports().get("packages").size("installed")).isEqualTo(1800);
    assertThat(s.reports().get("packages").every()).contains(Duration.ofMinutes(30));
    assertThat(s.reports().get("hardware-info").every()).isEmpty();
    assertThat(s.handler("execute-script").latency())
        .isEqualTo(new Latency.LogNormal(Duration.ofSeconds(2), Duration.ofMinutes(1)));
    assertThat(s.handler("execute-script").resultBytes()).isEqualTo(4000);
    assertThat(s.handler("install-snaps").latency())
        .isEqualTo(new Latency.Exponential(Duration.ofSeconds(1)));
  }

  /** Verifies that JSON reads as well as YAML. */
  @Test
  void readsJson() {
    Scenario s =
        Scenario.parse(
            """
            {"model": "closed", "reports": {"packages": {"installed": 10, "every": "5m"}},
             "handlers": {"default": {"failure-rate": 0.5}}}
            """,
            "s.json",
            DEFAULT);

    assertThat(s.model()).contains("closed");
    assertThat(s.reports().get("packages").size("installed")).isEqualTo(10);
    assertThat(s.handler("anything").failureRate()).isEqualTo(0.5);
    assertThat(s.handler("anything").latency()).isEqualTo(DEFAULT.latency());
  }

  /** Verifies that each kind of mistake is named with the file and the key. */
  @Test
  void namesTheFileTheKeyAndTheProblem() {
    assertProblem(
        "reports: {packages: {instaled: 5}}",
        "s.yaml: reports.packages: unknown key 'instaled'; known keys: at-registration,"
            + " available, changes, every, installed, security, upgrades");
    assertProblem(
        "reports: {packages: {every: soon}}",
        "s.yaml: reports.packages.every: 'soon' is not a duration");
    assertProblem(
        "reports: {packages: {installed: -1}}",
        "s.yaml: reports.packages.installed: must be between 0 and 1000000, got -1");
    assertProblem(
        "reports: {packages: {installed: 2.5}}",
        "s.yaml: reports.packages.installed: expected a whole number, got '2.5'");
    assertProblem("model: open", "s.yaml: the open model needs phases");
    assertProblem("model: half-open", "s.yaml: model: must be open or closed, not 'half-open'");
    assertProblem("phases: [{hold: {rate: 5}}]", "s.yaml: phases[0].hold: 'for' is missing");
    assertProblem("phases: [{jump: {rate: 5}}]", "s.yaml: phases[0]: unknown key 'jump'");
    assertProblem("phases: {hold: 1}", "s.yaml: phases: expected a list, got a mapping");
    assertProblem(
        "handlers: {default: {latency: {lognormal: {median: 5s, p99: 1s}}}}",
        "s.yaml: handlers.default.latency.lognormal: median must be positive and p99 not below it");
    assertProblem(
        "handlers: {default: {failure-rate: 2}}",
        "s.yaml: handlers.default.failure-rate: expected a number from 0 to 1, got '2'");
    assertProblem("agents: [1", "s.yaml: not YAML or JSON");
    assertProblem("- just a list", "s.yaml: expected a mapping (key: value), got a list");
  }

  /** Verifies that a file that is not there is named. */
  @Test
  void namesAMissingFile() {
    assertThatThrownBy(() -> Scenario.load(Path.of("no-such-scenario.yaml"), DEFAULT))
        .isInstanceOf(Scenario.ScenarioException.class)
        .hasMessageStartingWith("no-such-scenario.yaml: cannot be read");
  }

  private static void assertProblem(String text, String message) {
    assertThatThrownBy(() -> Scenario.parse(text, "s.yaml", DEFAULT))
        .isInstanceOf(Scenario.ScenarioException.class)
        .hasMessageStartingWith(message);
  }
}
