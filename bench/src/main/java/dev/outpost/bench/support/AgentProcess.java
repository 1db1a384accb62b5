package dev.outpost.bench.support;

import dev.outpost.bench.Context;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent as users start it: through {@code scripts/agent}, which runs the agent's jar with the
 * JVM options it gives the agent (and {@code exec}s it, so the process is the JVM itself).
 */
public final class AgentProcess {

  private AgentProcess() {}

  /**
   * Starts {@code outpost-agent <command> <args>} against the server.
   *
   * @param command {@code run} or {@code simulate}
   */
  public static ChildProcess start(
      Context ctx, OutpostProcess server, String label, String command, List<String> args)
      throws IOException {
    return start(ctx, server, "127.0.0.1", label, command, args);
  }

  /**
   * Starts {@code outpost-agent <command> <args>} against the server at one of its addresses: a
   * fleet spread over several loopback addresses is not bounded by one address's ephemeral ports.
   *
   * @param command {@code run} or {@code simulate}
   */
  public static ChildProcess start(
      Context ctx,
      OutpostProcess server,
      String host,
      String label,
      String command,
      List<String> args)
      throws IOException {
    Path home = Files.createDirectories(ctx.results().resolve(label + "-home"));
    List<String> line =
        new ArrayList<>(
            List.of(
                ctx.root().resolve("scripts/agent").toString(),
                command,
                "--server-url",
                "http://" + host + ":" + server.port() + "/message-system",
                "--registration-key",
                server.registrationKey()));
    if (command.equals("run")) {
      line.addAll(List.of("--data-dir", home.resolve("data").toString()));
    } else if (command.equals("simulate")) {
      // its load report, written when it stops, beside the benchmark's results
      line.addAll(List.of("--report", home.resolve("load-report").toString()));
    }
    line.addAll(args);
    Map<String, String> env = new HashMap<>();
    env.put("OUTPOST_HOME", home.toString());
    ctx.agentJavaOpts().ifPresent(opts -> env.put("OUTPOST_AGENT_JAVA_OPTS", opts));
    return ChildProcess.start(label, line, env, ctx.results().resolve(label + ".log"));
  }
}
