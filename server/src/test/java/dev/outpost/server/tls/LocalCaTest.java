package dev.outpost.server.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local CA a server given no certificate makes under its home, and keeps. */
class LocalCaTest {

  @TempDir Path home;

  private final Clock clock = Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC);

  /**
   * Verifies the first start's files. GIVEN an empty home, WHEN the CA is ensured, THEN a CA and a
   * server certificate it signed are there, the certificate names localhost, 127.0.0.1, ::1, the
   * host name and the names asked for, the keys are mode 0600, and the fingerprint is the CA's.
   */
  @Test
  void makesCaAndServerCertificate() throws Exception {
    LocalCa.Issued issued = LocalCa.ensure(home, List.of("outpost.example.com", "10.1.2.3"), clock);

    assertThat(issued.caCreated()).isTrue();
    X509Certificate ca = LocalCa.readCertificate(issued.caCertificate());
    X509Certificate cert = LocalCa.readCertificate(issued.certificate());
    cert.verify(ca.getPublicKey());
    assertThat(ca.getBasicConstraints()).as("a CA").isGreaterThanOrEqualTo(0);
    assertThat(cert.getBasicConstraints()).as("not a CA").isEqualTo(-1);
    assertThat(cert.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1"); // serverAuth
    Set<String> names =
        cert.getSubjectAlternativeNames().stream()
            .map(entry -> String.valueOf(entry.get(1)))
            .collect(Collectors.toSet());
    assertThat(names)
        .contains("localhost", "127.0.0.1", "0:0:0:0:0:0:0:1", "outpost.example.com", "10.1.2.3");
    LocalCa.hostname().ifPresent(host -> assertThat(names).contains(host.toLowerCase()));
    assertThat(issued.caFingerprint()).isEqualTo(LocalCa.fingerprint(ca)).hasSize(95);
    for (Path key : List.of(issued.key(), home.resolve("tls/ca-key.pem"))) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
          .as("mode of %s", key)
          .isEqualTo("rw-------");
      assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(issued.certificate())))
        .isEqualTo("rw-r--r--");
    try (var files = Files.list(home.resolve("tls"))) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .as("no temporary file left")
          .containsExactlyInAnyOrder("ca.pem", "ca-key.pem", "server.pem", "server-key.pem");
    }
  }

  /**
   * Verifies reuse across restarts. GIVEN a home with a CA and certificate, WHEN a later start
   * ensures them again, THEN both files are kept as they were, byte for byte.
   */
  @Test
  void reusesWhatItMade() throws Exception {
    LocalCa.Issued first = LocalCa.ensure(home, List.of(), clock);
    byte[] ca = Files.readAllBytes(first.caCertificate());
    byte[] cert = Files.readAllBytes(first.certificate());
    byte[] key = Files.readAllBytes(first.key());

    LocalCa.Issued again =
        LocalCa.ensure(home, List.of(), Clock.offset(clock, java.time.Duration.ofDays(30)));

    assertThat(again.caCreated()).isFalse();
    assertThat(again.caFingerprint()).isEqualTo(first.caFingerprint());
    assertThat(Files.readAllBytes(again.caCertificate())).isEqualTo(ca);
    assertThat(Files.readAllBytes(again.certificate())).isEqualTo(cert);
    assertThat(Files.readAllBytes(again.key())).isEqualTo(key);
  }

  /**
   * Verifies that the server certificate follows what it must name and its end, under the same CA.
   * GIVEN a home with a CA and certificate, WHEN a start asks for a name it lacks, or comes within
   * the renewal window of its end, THEN a new certificate is issued by the kept CA, whose
   * fingerprint agents pinned stays the same.
   */
  @Test
  void issuesTheServerCertificateAgainUnderTheSameCa() throws Exception {
    LocalCa.Issued first = LocalCa.ensure(home, List.of(), clock);
    byte[] cert = Files.readAllBytes(first.certificate());

    LocalCa.Issued renamed = LocalCa.ensure(home, List.of("new.example.com"), clock);

    assertThat(renamed.caFingerprint()).isEqualTo(first.caFingerprint());
    assertThat(Files.readAllBytes(renamed.certificate())).isNotEqualTo(cert);
    X509Certificate issued = LocalCa.readCertificate(renamed.certificate());
    issued.verify(LocalCa.readCertificate(first.caCertificate()).getPublicKey());
    byte[] named = Files.readAllBytes(renamed.certificate());

    Clock nearTheEnd =
        Clock.fixed(
            issued.getNotAfter().toInstant().minus(LocalCa.RENEW_BEFORE).plusSeconds(60),
            ZoneOffset.UTC);
    LocalCa.Issued renewed = LocalCa.ensure(home, List.of("new.example.com"), nearTheEnd);

    assertThat(renewed.caFingerprint()).isEqualTo(first.caFingerprint());
    assertThat(Files.readAllBytes(renewed.certificate())).isNotEqualTo(named);
    assertThat(LocalCa.readCertificate(renewed.certificate()).getNotAfter())
        .isAfter(issued.getNotAfter());
  }
}
