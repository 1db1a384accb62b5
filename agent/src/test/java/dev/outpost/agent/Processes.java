package dev.outpost.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Looks at processes the way tests need: a zombie nobody reaps is not running. */
final class Processes {

  private Processes() {}

  /** Whether the process exists and is not a zombie. */
  static boolean running(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // the state follows the parenthesised command name, which may itself hold parentheses
      String state = stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      return !state.equals("Z") && !state.equals("X");
    } catch (IOException e) {
      return false;
    }
  }
}
