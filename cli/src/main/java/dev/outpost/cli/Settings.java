package dev.outpost.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Where the server is and which token to send: a flag wins, then the environment ({@code
 * OUTPOST_URL}, {@code OUTPOST_TOKEN}), then the config file ({@code url=}, {@code token=}; {@code
 * OUTPOST_CLI_CONFIG}, else {@code $XDG_CONFIG_HOME/outpost/cli.conf}, else {@code
 * ~/.config/outpost/cli.conf}), then {@code http://127.0.0.1:8080}.
 */
record Settings(String url, String token) {

  static final String DEFAULT_URL = "http://127.0.0.1:8080";

  static Settings resolve(
      String urlFlag, String tokenFlag, Path configFlag, Map<String, String> env) {
    Properties file = read(configFlag != null ? configFlag : configPath(env));
    String url =
        first(urlFlag, env.get("OUTPOST_URL"), file.getProperty("url")).orElse(DEFAULT_URL);
    String token =
        first(tokenFlag, env.get("OUTPOST_TOKEN"), file.getProperty("token")).orElse(null);
    return new Settings(url, token);
  }

  /** The config file the environment points at. */
  static Path configPath(Map<String, String> env) {
    String given = env.get("OUTPOST_CLI_CONFIG");
    if (given != null && !given.isBlank()) {
      return Path.of(given);
    }
    String xdg = env.get("XDG_CONFIG_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".config");
    return base.resolve("outpost").resolve("cli.conf");
  }

  private static Properties read(Path path) {
    Properties properties = new Properties();
    if (Files.isRegularFile(path)) {
      try (Reader in = Files.newBufferedReader(path)) {
        properties.load(in);
      } catch (IOException e) {
        throw new Api.Failure(0, "cannot read " + path + ": " + e.getMessage());
      }
    }
    return properties;
  }

  private static Optional<String> first(String... values) {
    for (String value : values) {
      if (value != null && !value.isBlank()) {
        return Optional.of(value.strip());
      }
    }
    return Optional.empty();
  }
}
