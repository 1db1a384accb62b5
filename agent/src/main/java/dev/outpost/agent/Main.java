package dev.outpost.agent;

import dev.outpost.agent.cli.RunCommand;
import dev.outpost.agent.cli.SimulateCommand;
import dev.outpost.agent.config.ConfigDefaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The agent's command line: {@code outpost-agent run|simulate ...}. */
@Command(
    name = "outpost-agent",
    mixinStandardHelpOptions = true,
    version = "outpost-agent 0.1.0",
    description = "The Outpost agent for a managed machine.",
    subcommands = {RunCommand.class, SimulateCommand.class})
public final class Main implements Runnable {

  /** Read when no --config is given and it exists. */
  static final Path DEFAULT_CONFIG = Path.of("/etc/outpost/agent.conf");

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    CommandLine cli;
    try {
      cli = commandLine(System.getenv(), args);
    } catch (IllegalArgumentException e) {
      System.err.println("outpost-agent: " + e.getMessage());
      System.exit(2);
      return;
    }
    System.exit(cli.execute(args));
  }

  /**
   * The command line, with defaults from the environment and the configuration file: flags win over
   * the environment, which wins over the file, which wins over built-in defaults.
   *
   * @throws IllegalArgumentException when the configuration file cannot be read
   */
  public static CommandLine commandLine(Map<String, String> env, String[] args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setDefaultValueProvider(ConfigDefaults.of(env, configFile(env, args)));
    return cli;
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /**
   * The configuration file: {@code --config} (looked for before parsing, since the other options'
   * defaults come from it), else {@code OUTPOST_AGENT_CONFIG}, else the default path when it
   * exists.
   */
  static Optional<Path> configFile(Map<String, String> env, String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].startsWith("--config=")) {
        return Optional.of(Path.of(args[i].substring("--config=".length())));
      }
      if (args[i].equals("--config") && i + 1 < args.length) {
        return Optional.of(Path.of(args[i + 1]));
      }
    }
    String fromEnv = env.get(ConfigDefaults.envName("config"));
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Optional.of(Path.of(fromEnv));
    }
    return Files.isReadable(DEFAULT_CONFIG) ? Optional.of(DEFAULT_CONFIG) : Optional.empty();
  }
}
