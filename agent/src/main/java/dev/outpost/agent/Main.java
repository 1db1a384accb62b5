package dev.outpost.agent;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The agent's command line: {@code outpost-agent [run|simulate] ...}. */
@Command(name = "outpost-agent", mixinStandardHelpOptions = true, version = "outpost-agent 0.1.0",
    description = "The Outpost agent for a managed machine.")
public final class Main implements Runnable {

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
