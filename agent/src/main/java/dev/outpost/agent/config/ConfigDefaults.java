package dev.outpost.agent.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Option values that were not given as flags: from the environment ({@code --server-url} is {@code
 * OUTPOST_AGENT_SERVER_URL}), then from the configuration file ({@code server_url}, or the
 * Landscape Client's own key where it has one, so a client.conf works as it is). Picocli falls back
 * to the option's own default when neither has it.
 */
public final class ConfigDefaults implements IDefaultValueProvider {

  /** Prefix of the environment variables. */
  public static final String ENV_PREFIX = "OUTPOST_AGENT_";

  /** Landscape's client.conf names for options whose names differ. */
  private static final Map<String, List<String>> LANDSCAPE_KEYS =
      Map.of(
          "server_url", List.of("url"),
          "data_dir", List.of("data_path"),
          "ssl_ca", List.of("ssl_public_key"));

  private final Map<String, String> env;
  private final Properties file;

  private ConfigDefaults(Map<String, String> env, Properties file) {
    this.env = env;
    this.file = file;
  }

  /**
   * Reads the environment and, when given, the file: {@code key = value} lines; comments and
   * section headers such as {@code [client]} are ignored.
   *
   * @throws IllegalArgumentException when the file cannot be read
   */
  public static ConfigDefaults of(Map<String, String> env, Optional<Path> configFile) {
    Properties properties = new Properties();
    configFile.ifPresent(
        path -> {
          try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            properties.load(reader);
          } catch (IOException e) {
            throw new IllegalArgumentException(
                "cannot read the configuration file " + path + ": " + e.getMessage(), e);
          }
        });
    return new ConfigDefaults(Map.copyOf(env), properties);
  }

  @Override
  public String defaultValue(ArgSpec argSpec) {
    if (!(argSpec instanceof OptionSpec option)) {
      return null;
    }
    String name = option.longestName().replaceFirst("^-+", "");
    String fromEnv = env.get(envName(name));
    if (fromEnv != null) {
      return fromEnv;
    }
    String key = fileKey(name);
    String fromFile = file.getProperty(key);
    for (String alias : LANDSCAPE_KEYS.getOrDefault(key, List.of())) {
      fromFile = fromFile != null ? fromFile : file.getProperty(alias);
    }
    return fromFile == null ? null : fromFile.strip();
  }

  /** The environment variable of an option's long name without dashes. */
  public static String envName(String optionName) {
    return ENV_PREFIX + optionName.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /** The configuration file key of an option's long name without dashes. */
  public static String fileKey(String optionName) {
    return optionName.replace('-', '_');
  }
}
