package dev.outpost.server;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The server's configuration, read from {@code OUTPOST_*} environment variables (README.md has
 * the table).
 *
 * @param httpPort the port of the HTTP server
 * @param dbUrl a {@code postgresql://} URL; empty means the embedded PostgreSQL under {@code home}
 * @param home where embedded data and generated credentials are kept
 * @param adminToken the bootstrap admin token; empty means generated (and kept under {@code home})
 * @param registrationKey the bootstrap registration key; empty means generated likewise
 * @param dbPoolSize connections in the PostgreSQL pool
 * @param maxBodyBytes the largest request body accepted (larger gets 413)
 */
public record ServerConfig(
    int httpPort,
    Optional<String> dbUrl,
    Path home,
    Optional<String> adminToken,
    Optional<String> registrationKey,
    int dbPoolSize,
    long maxBodyBytes) {

  /** The account created on first start. */
  public static final String BOOTSTRAP_ACCOUNT = "standalone";

  /** Reads the configuration from environment variables, refusing malformed values by name. */
  public static ServerConfig fromEnv(Map<String, String> env) {
    return new ServerConfig(
        intValue(env, "OUTPOST_HTTP_PORT", 8080, 0, 65535),
        text(env, "OUTPOST_DB_URL"),
        Path.of(text(env, "OUTPOST_HOME").orElse(".outpost")).toAbsolutePath(),
        text(env, "OUTPOST_ADMIN_TOKEN"),
        text(env, "OUTPOST_REGISTRATION_KEY"),
        intValue(env, "OUTPOST_DB_POOL_SIZE", 8, 1, 1000),
        intValue(env, "OUTPOST_MAX_BODY_BYTES", 4 * 1024 * 1024, 1024, Integer.MAX_VALUE));
  }

  private static Optional<String> text(Map<String, String> env, String name) {
    return Optional.ofNullable(env.get(name)).map(String::strip).filter(v -> !v.isEmpty());
  }

  private static int intValue(Map<String, String> env, String name, int fallback, int min,
      int max) {
    Optional<String> raw = text(env, name);
    if (raw.isEmpty()) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(raw.get());
      if (value < min || value > max) {
        throw new IllegalArgumentException(
            name + " must be between " + min + " and " + max + ", not " + value);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, not '" + raw.get() + "'");
    }
  }
}
