package dev.outpost.server;

/** Starts the Outpost server. */
public final class Main {
  private Main() {
  }

  /** Entry point. */
  public static void main(String[] args) {
  }
}
