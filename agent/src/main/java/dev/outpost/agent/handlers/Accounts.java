package dev.outpost.agent.handlers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Who the agent runs as, and the users it may run scripts as. Blocking. */
final class Accounts {

  /** A user to run a script as. */
  record Account(String name, String home, boolean other) {
  }

  private final String self;
  private final boolean root;

  private Accounts(String self, boolean root) {
    this.self = self;
    this.root = root;
  }

  /** The agent's own user, read from the system. */
  static Accounts current() {
    boolean root;
    try {
      // /proc/self belongs to the process's effective user
      root = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
    } catch (IOException | UnsupportedOperationException e) {
      root = "root".equals(System.getProperty("user.name"));
    }
    return new Accounts(System.getProperty("user.name"), root);
  }

  /** Whether the agent runs as root, and so may run scripts as anyone. */
  boolean root() {
    return root;
  }

  /** The agent's own user name. */
  String self() {
    return self;
  }

  /**
   * The account to run a script as.
   *
   * @throws ScriptFailure when the agent cannot switch to that user, or it does not exist
   */
  Account resolve(Optional<String> username) throws IOException, InterruptedException {
    String target = username.orElse(self);
    if (target.equals(self)) {
      return new Account(self, System.getProperty("user.home"), false);
    }
    if (!root) {
      throw ScriptFailure.of("the agent runs as " + self + " and cannot run scripts as " + target
          + "; only an agent running as root can run scripts as other users");
    }
    if (!target.matches("[A-Za-z_][A-Za-z0-9_.-]*\\$?")) {
      throw ScriptFailure.of("'" + target + "' is not a user name");
    }
    Commands.Result entry = Commands.run(Commands.Command.of("getent", "passwd", target));
    String[] fields = entry.output().strip().split(":");
    if (!entry.ok() || fields.length < 6) {
      throw ScriptFailure.of("unknown user " + target);
    }
    return new Account(target, fields[5], true);
  }
}
