package dev.outpost.agent.handlers;

import dev.outpost.common.wire.Bytes;
import dev.outpost.common.wire.WireMap;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An {@code execute-script} message, read.
 *
 * @param interpreter the command line the script file is given to ({@code /usr/bin/env python3})
 * @param username whom to run it as; none means the agent's own user
 * @param timeLimit after which the script and its processes are killed; none means no limit
 * @param attachments file name to an attachment id (a number to fetch) or the content itself
 * @param env variables to add to the script's environment
 */
record ScriptRequest(
    List<String> interpreter,
    String code,
    Optional<String> username,
    Optional<Duration> timeLimit,
    Map<String, Object> attachments,
    Map<String, String> env) {

  static final String DEFAULT_INTERPRETER = "/bin/sh";

  /** Reads the message; a field of the wrong type fails with a 400-style message. */
  static ScriptRequest read(WireMap message) {
    String interpreter =
        message.optionalText("interpreter").filter(s -> !s.isBlank()).orElse(DEFAULT_INTERPRETER);
    Map<String, Object> attachments = new LinkedHashMap<>();
    message
        .optionalMap("attachments")
        .ifPresent(
            map ->
                map.asMap()
                    .forEach(
                        (name, value) ->
                            attachments.put(
                                name instanceof Bytes b ? b.asUtf8() : String.valueOf(name),
                                value)));
    Map<String, String> env = new LinkedHashMap<>();
    message
        .optionalMap("env")
        .ifPresent(map -> map.asMap().forEach((name, value) -> env.put(text(name), text(value))));
    return new ScriptRequest(
        List.of(interpreter.strip().split("\\s+")),
        message.text("code"),
        message.optionalText("username").filter(s -> !s.isBlank()),
        message.optionalInteger("time-limit").filter(s -> s > 0).map(Duration::ofSeconds),
        attachments,
        env);
  }

  private static String text(Object value) {
    return value instanceof Bytes b ? b.asUtf8() : String.valueOf(value);
  }
}
