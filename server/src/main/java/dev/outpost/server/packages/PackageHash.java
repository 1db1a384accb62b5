package dev.outpost.server.packages;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The hash that names a package version, as the Landscape Client computes it over its package
 * skeleton: sha1 of {@code [type name version]}, then of each relation {@code [type text]} in
 * sorted order (by type, then text). The server computes it over what {@code add-packages} sends,
 * so that the ids it gives back match the hashes the client asked about.
 */
public final class PackageHash {

  /** One relation of a package: its kind (depends, provides, conflicts...) and its text. */
  public record Relation(long type, String text) {}

  private static final Comparator<Relation> ORDER =
      Comparator.comparingLong(Relation::type).thenComparing(Relation::text);

  private PackageHash() {}

  /** The 20 bytes of the package's hash. */
  public static byte[] of(long type, String name, String version, List<Relation> relations) {
    MessageDigest sha1;
    try {
      sha1 = MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-1", e);
    }
    sha1.update(("[" + type + " " + name + " " + version + "]").getBytes(StandardCharsets.UTF_8));
    List<Relation> sorted = new ArrayList<>(relations);
    sorted.sort(ORDER);
    for (Relation relation : sorted) {
      sha1.update(
          ("[" + relation.type() + " " + relation.text() + "]").getBytes(StandardCharsets.UTF_8));
    }
    return sha1.digest();
  }
}
