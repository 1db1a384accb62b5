package dev.outpost.server.script;

import java.util.Optional;

/**
 * A script as an admin writes or edits it; an edit leaves out what it keeps.
 *
 * @param interpreter given, or read from the code's shebang line, else {@code /bin/sh}
 */
public record ScriptDraft(
    Optional<String> title,
    Optional<String> code,
    Optional<String> interpreter,
    Optional<String> username,
    Optional<Integer> timeLimit) {

  /** The interpreter when none is given and the code names none. */
  static final String DEFAULT_INTERPRETER = "/bin/sh";

  /**
   * The interpreter a code's shebang line names: {@code #!/usr/bin/env python3} gives {@code
   * /usr/bin/env python3}.
   */
  static Optional<String> shebang(String code) {
    if (!code.startsWith("#!")) {
      return Optional.empty();
    }
    int end = code.indexOf('\n');
    String named = (end < 0 ? code.substring(2) : code.substring(2, end)).strip();
    return named.isEmpty() ? Optional.empty() : Optional.of(named);
  }
}
