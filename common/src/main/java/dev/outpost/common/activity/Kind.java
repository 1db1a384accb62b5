package dev.outpost.common.activity;

/** Where an activity runs: on a machine's agent, or on the server's job-handler. */
public enum Kind {
  CLIENT,
  SERVER;

  /** The name used in JSON and the database. */
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Parses a name as stored in the database. */
  public static Kind fromWire(String name) {
    return valueOf(name.toUpperCase(java.util.Locale.ROOT));
  }
}
