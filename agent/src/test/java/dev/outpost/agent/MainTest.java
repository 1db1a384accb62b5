package dev.outpost.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {

  /** Verifies that the command line answers --version with the agent's name. */
  @Test
  void printsItsVersion() {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new Main()).setOut(new PrintWriter(out));
    assertThat(cli.execute("--version")).isZero();
    assertThat(out.toString()).contains("outpost-agent");
  }
}
