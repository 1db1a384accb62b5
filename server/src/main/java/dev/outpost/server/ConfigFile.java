package dev.outpost.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's configuration file: the environment's {@code OUTPOST_*} settings, one {@code
 * NAME=value} a line, {@code #} starting a comment line, a value optionally in double or single
 * quotes (so that systemd's {@code EnvironmentFile=} reads the same file). The file is {@code
 * OUTPOST_CONFIG}, or {@code /etc/outpost/server.conf} when that exists; a variable set in the
 * environment wins over the file. A name the server does not read is refused by name, with its
 * line: a misspelt setting is a mistake to hear of, not a default to run on.
 */
public final class ConfigFile {

  /** The environment variable naming the file. */
  public static final String VARIABLE = "OUTPOST_CONFIG";

  /** The file read when {@link #VARIABLE} is not set, if it exists. */
  public static final Path DEFAULT = Path.of("/etc/outpost/server.conf");

  /** The largest file read: a configuration is a few kilobytes. */
  private static final long MAX_BYTES = 1024 * 1024;

  private static final Pattern LINE = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*=(.*)");

  private ConfigFile() {}

  /**
   * The settings the server runs with: those of the file {@code env} names (or {@link #DEFAULT}
   * when present), then those of {@code env}, which win.
   *
   * @throws IllegalArgumentException naming the file, the line and what is wrong with it
   */
  public static Map<String, String> settings(Map<String, String> env) {
    return settings(env, DEFAULT);
  }

  static Map<String, String> settings(Map<String, String> env, Path defaultFile) {
    String named = env.get(VARIABLE);
    Path file;
    if (named != null && !named.isBlank()) {
      file = Path.of(named.strip());
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException(VARIABLE + " names no file: '" + named.strip() + "'");
      }
    } else if (Files.isRegularFile(defaultFile)) {
      file = defaultFile;
    } else {
      return env;
    }
    Map<String, String> merged = new HashMap<>(read(file));
    env.forEach(
        (name, value) -> {
          if (!value.isBlank() || !merged.containsKey(name)) {
            merged.put(name, value);
          }
        });
    return Collections.unmodifiableMap(merged);
  }

  /**
   * Reads {@code file}'s settings, refusing a line that is no setting, a name the server does not
   * read and a name set twice.
   */
  static Map<String, String> read(Path file) {
    List<String> lines;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new IllegalArgumentException(
            file + " is larger than " + MAX_BYTES + " bytes: not a configuration file");
      }
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the configuration file " + file, e);
    }
    Set<String> known = knownKeys();
    Map<String, String> settings = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      String where = file + " line " + (i + 1) + ": ";
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Matcher setting = LINE.matcher(line);
      if (!setting.matches()) {
        // the line is not quoted back: it may hold a password
        throw new IllegalArgumentException(where + "expected NAME=value");
      }
      String name = setting.group(1);
      if (!known.contains(name)) {
        throw new IllegalArgumentException(
            where + name + " is not a setting of the server (README.md's table lists them)");
      }
      if (settings.put(name, unquoted(setting.group(2).strip())) != null) {
        throw new IllegalArgumentException(where + name + " is set twice");
      }
    }
    return settings;
  }

  private static String unquoted(String value) {
    if (value.length() >= 2
        && (value.startsWith("\"") && value.endsWith("\"")
            || value.startsWith("'") && value.endsWith("'"))) {
      return value.substring(1, value.length() - 1);
    }
    return value;
  }

  /**
   * The names the server reads: those {@link ServerConfig#fromEnv} asks for (found by asking it, so
   * a setting added there is known here at once) and the logging settings, read before it.
   */
  static Set<String> knownKeys() {
    Set<String> names = new TreeSet<>(LogSettings.NAMES);
    ServerConfig.fromEnv(
        new AbstractMap<String, String>() {
          @Override
          public String get(Object key) {
            names.add((String) key);
            return null;
          }

          @Override
          public boolean containsKey(Object key) {
            names.add((String) key);
            return false;
          }

          @Override
          public Set<Map.Entry<String, String>> entrySet() {
            return Set.of();
          }
        });
    return names;
  }
}
