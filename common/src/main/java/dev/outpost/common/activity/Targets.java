package dev.outpost.common.activity;

/** Which computers an activity type is created for. */
public enum Targets {
  /** One activity per computer; at least one computer is required. */
  COMPUTERS,
  /** No computer: the activity runs on the server once. */
  NONE
}
