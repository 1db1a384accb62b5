package dev.outpost.server.exchange;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

/** The message types the server accepts from clients, and the digest both sides compare. */
final class ServerTypes {

  /** What a registered client may send: results, and the reports Outpost records. */
  static final List<String> REGISTERED =
      Stream.of(
              List.of(
                  "change-packages-result",
                  "operation-output",
                  "operation-progress",
                  "operation-result",
                  "register",
                  "resynchronize",
                  "usg-audit"),
              // the computer's reports of itself, kept per computer
              ClientReports.TYPES)
          .flatMap(List::stream)
          .sorted()
          .toList();

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
