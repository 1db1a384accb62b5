package dev.outpost.server.exchange;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.List;

/** The message types the server accepts from clients, and the digest both sides compare. */
final class ServerTypes {

  /** What a registered client may send: results, and the reports Outpost records. */
  static final List<String> REGISTERED =
      List.of(
          "add-packages",
          "change-packages-result",
          "computer-info",
          "distribution-info",
          "operation-output",
          "operation-progress",
          "operation-result",
          "packages",
          "register",
          "resynchronize",
          "unknown-package-hashes",
          "usg-audit");

  /** What an unregistered client may send. */
  static final List<String> UNREGISTERED = List.of("register");

  private ServerTypes() {}

  /** md5 of the types, sorted and joined with ';', as the Landscape Client computes it. */
  static byte[] digest(Collection<String> types) {
    try {
      String joined = String.join(";", types.stream().sorted().toList());
      return MessageDigest.getInstance("MD5").digest(joined.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has MD5", e);
    }
  }
}
