package dev.outpost.agent.handlers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Runs system commands (useradd, shutdown, kill, ...) and collects what they print. Blocking. */
final class Commands {

  /** Longer than any of these commands takes; a hung one is killed. */
  private static final long TIMEOUT_SECONDS = 120;

  private static final int MAX_OUTPUT = 64 * 1024;

  /** A command line and what to write to its standard input. */
  record Command(List<String> argv, Optional<String> stdin) {

    static Command of(String... argv) {
      return new Command(List.of(argv), Optional.empty());
    }

    /** The command line as shown in a result; what goes to stdin (a password) is not shown. */
    @Override
    public String toString() {
      return String.join(" ", argv);
    }
  }

  /** What a command did. */
  record Result(int exitCode, String output) {

    boolean ok() {
      return exitCode == 0;
    }
  }

  private Commands() {}

  /** Runs a command with stderr merged into stdout. */
  static Result run(Command command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command.argv()).redirectErrorStream(true).start();
    try (OutputStream stdin = process.getOutputStream()) {
      if (command.stdin().isPresent()) {
        stdin.write(command.stdin().get().getBytes(StandardCharsets.UTF_8));
      }
    }
    String output = read(process.getInputStream());
    if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return new Result(-1, output + "(killed after " + TIMEOUT_SECONDS + " s)");
    }
    return new Result(process.exitValue(), output);
  }

  private static String read(InputStream in) throws IOException {
    byte[] head = in.readNBytes(MAX_OUTPUT);
    in.transferTo(OutputStream.nullOutputStream());
    return new String(head, StandardCharsets.UTF_8);
  }
}
