package dev.outpost.server.tls;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCSException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local certificate authority of a server given no certificate: made under {@code <home>/tls}
 * on the first start and kept, so agents pin its certificate ({@code --ssl-ca}, the Landscape
 * Client's {@code ssl_public_key}) once. It signs the server's certificate, which is issued again
 * (by the same CA) when it is near its end or does not name every address asked for.
 *
 * <p>Keys are ECDSA P-256, made and used through the JDK's own provider; Bouncy Castle builds and
 * reads the certificates and PEM files only. Key files are written mode 0600, certificates 0644.
 */
public final class LocalCa {

  private static final Logger LOG = LoggerFactory.getLogger(LocalCa.class);

  /** The folder under the home. */
  public static final String DIR = "tls";

  /** How long the CA is valid. */
  static final Duration CA_VALIDITY = Duration.ofDays(3650);

  /** How long a server certificate is valid. */
  static final Duration SERVER_VALIDITY = Duration.ofDays(730);

  /** A server certificate ending sooner than this is issued again at a start. */
  static final Duration RENEW_BEFORE = Duration.ofDays(60);

  private static final String SIGNATURE = "SHA256withECDSA";

  /**
   * What a start uses.
   *
   * @param caCertificate the CA's certificate, for agents to pin
   * @param certificate the server's certificate
   * @param key the server certificate's private key
   * @param caFingerprint the SHA-256 fingerprint of the CA's certificate, as {@code openssl x509
   *     -fingerprint -sha256} prints it
   * @param caCreated whether this start made the CA (agents pinning another must be given it)
   */
  public record Issued(
      Path caCertificate, Path certificate, Path key, String caFingerprint, boolean caCreated) {}

  private LocalCa() {}

  /**
   * The CA and server certificate under {@code <home>/tls}: those kept when they serve, made when
   * missing.
   *
   * @param names the names and addresses the server certificate must hold (with localhost,
   *     127.0.0.1, ::1 and this machine's host name, always)
   */
  public static Issued ensure(Path home, List<String> names, Clock clock) {
    Path dir = home.resolve(DIR);
    Path caCert = dir.resolve("ca.pem");
    Path caKey = dir.resolve("ca-key.pem");
    Path cert = dir.resolve("server.pem");
    Path key = dir.resolve("server-key.pem");
    Set<String> wanted = subjectNames(names);
    try {
      Files.createDirectories(dir);
      boolean caCreated = false;
      X509Certificate ca;
      PrivateKey caPrivate;
      if (Files.exists(caCert) && Files.exists(caKey)) {
        ca = readCertificate(caCert);
        caPrivate = readKey(caKey);
      } else {
        KeyPair pair = newKeyPair();
        ca = caCertificate(pair, clock.instant());
        caPrivate = pair.getPrivate();
        writePem(caKey, new JcaPKCS8Generator(caPrivate, null).generate(), true);
        writePem(caCert, ca, false);
        Files.deleteIfExists(cert); // signed by a CA gone
        caCreated = true;
        LOG.info("made a local CA [certificate: {}]", caCert);
      }
      String reason = reissue(cert, key, ca, wanted, clock.instant());
      if (reason != null) {
        KeyPair pair = newKeyPair();
        X509Certificate issued = serverCertificate(pair, ca, caPrivate, wanted, clock.instant());
        writePem(key, new JcaPKCS8Generator(pair.getPrivate(), null).generate(), true);
        writePem(cert, issued, false);
        if (!caCreated) {
          LOG.info("issued the server certificate again [reason: {}, names: {}]", reason, wanted);
        }
      }
      return new Issued(caCert, cert, key, fingerprint(ca), caCreated);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot keep the local CA in " + dir + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException | OperatorCreationException | PKCSException e) {
      throw new IllegalStateException(
          "cannot keep the local CA in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The names every certificate holds, then those asked for, then this machine's host name. */
  static Set<String> subjectNames(List<String> names) {
    Set<String> all = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
    for (String name : names) {
      if (!name.isBlank()) {
        all.add(name.strip().toLowerCase(Locale.ROOT));
      }
    }
    hostname().ifPresent(host -> all.add(host.toLowerCase(Locale.ROOT)));
    return all;
  }

  /** This machine's host name, when it has one. */
  public static Optional<String> hostname() {
    try {
      return Optional.ofNullable(InetAddress.getLocalHost().getHostName())
          .filter(name -> !name.isBlank());
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  /**
   * Why the kept server certificate must be issued again, or null when it serves: it is there with
   * its key, signed by this CA, names everything wanted and is not near its end.
   */
  private static String reissue(
      Path cert, Path key, X509Certificate ca, Set<String> wanted, Instant now) throws IOException {
    if (!Files.exists(cert) || !Files.exists(key)) {
      return "missing";
    }
    try {
      X509Certificate kept = readCertificate(cert);
      readKey(key);
      kept.verify(ca.getPublicKey());
      if (kept.getNotAfter().toInstant().isBefore(now.plus(RENEW_BEFORE))) {
        return "ends " + kept.getNotAfter().toInstant();
      }
      Set<String> held = new LinkedHashSet<>();
      if (kept.getSubjectAlternativeNames() != null) {
        for (List<?> entry : kept.getSubjectAlternativeNames()) {
          held.add(normalized(String.valueOf(entry.get(1))));
        }
      }
      for (String name : wanted) {
        if (!held.contains(normalized(name))) {
          return "does not name " + name;
        }
      }
      return null;
    } catch (GeneralSecurityException | PKCSException | RuntimeException e) {
      return "unusable: " + e.getMessage();
    }
  }

  /** An address in one form (the JDK shows ::1 as 0:0:0:0:0:0:0:1), a name in lower case. */
  private static String normalized(String name) {
    if (isAddress(name)) {
      try {
        return InetAddress.getByName(name).getHostAddress();
      } catch (UnknownHostException e) {
        return name;
      }
    }
    return name.toLowerCase(Locale.ROOT);
  }

  private static boolean isAddress(String name) {
    return io.netty.util.NetUtil.isValidIpV4Address(name)
        || io.netty.util.NetUtil.isValidIpV6Address(name);
  }

  private static KeyPair newKeyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
    return generator.generateKeyPair();
  }

  private static X509Certificate caCertificate(KeyPair pair, Instant now)
      throws GeneralSecurityException, OperatorCreationException, IOException {
    X500Name subject =
        new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.O, "Outpost")
            .addRDN(BCStyle.CN, "Outpost local CA" + hostname().map(h -> " of " + h).orElse(""))
            .build();
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            subject,
            serial(),
            Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(CA_VALIDITY)),
            subject,
            pair.getPublic());
    JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
    builder
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
        .addExtension(
            Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
        .addExtension(
            Extension.subjectKeyIdentifier,
            false,
            utils.createSubjectKeyIdentifier(pair.getPublic()));
    return sign(builder, pair.getPrivate());
  }

  private static X509Certificate serverCertificate(
      KeyPair pair, X509Certificate ca, PrivateKey caKey, Set<String> names, Instant now)
      throws GeneralSecurityException, OperatorCreationException, IOException {
    X500Name subject =
        new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.O, "Outpost")
            .addRDN(
                BCStyle.CN,
                names.stream().filter(n -> !isAddress(n)).reduce((a, b) -> b).orElse("localhost"))
            .build();
    List<GeneralName> alternatives = new ArrayList<>();
    for (String name : names) {
      alternatives.add(
          new GeneralName(isAddress(name) ? GeneralName.iPAddress : GeneralName.dNSName, name));
    }
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            ca,
            serial(),
            Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(SERVER_VALIDITY)),
            subject,
            pair.getPublic());
    JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
    builder
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
        .addExtension(
            Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
        .addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(alternatives.toArray(GeneralName[]::new)))
        .addExtension(
            Extension.subjectKeyIdentifier,
            false,
            utils.createSubjectKeyIdentifier(pair.getPublic()))
        .addExtension(
            Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(ca));
    return sign(builder, caKey);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
      throws GeneralSecurityException, OperatorCreationException {
    X509CertificateHolder holder = builder.build(new JcaContentSignerBuilder(SIGNATURE).build(key));
    return new JcaX509CertificateConverter().getCertificate(holder);
  }

  /** A positive random serial of 159 bits, as RFC 5280 allows at most 20 octets. */
  private static BigInteger serial() {
    return new BigInteger(159, new SecureRandom()).add(BigInteger.ONE);
  }

  /** The SHA-256 fingerprint of a certificate: colon-separated upper-case hex pairs. */
  public static String fingerprint(X509Certificate certificate) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads the first certificate of a PEM file. */
  public static X509Certificate readCertificate(Path file) throws IOException {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(reader)) {
      Object read = parser.readObject();
      if (!(read instanceof X509CertificateHolder holder)) {
        throw new IOException(file + " holds no PEM certificate");
      }
      return new JcaX509CertificateConverter().getCertificate(holder);
    } catch (GeneralSecurityException e) {
      throw new IOException(file + " holds no usable certificate: " + e.getMessage(), e);
    }
  }

  private static PrivateKey readKey(Path file) throws IOException, PKCSException {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(reader)) {
      Object read = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (read instanceof org.bouncycastle.asn1.pkcs.PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      if (read instanceof PEMKeyPair pair) {
        return converter.getKeyPair(pair).getPrivate();
      }
      throw new IOException(file + " holds no PEM private key");
    }
  }

  /** Writes a PEM object through a temporary file, made with its mode before anything is in it. */
  private static void writePem(Path file, Object object, boolean secret) throws IOException {
    Path temp =
        Files.createTempFile(
            file.getParent(),
            file.getFileName().toString(),
            ".tmp",
            PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--")));
    try {
      StringWriter text = new StringWriter();
      try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
        pem.writeObject(object);
      }
      try (Writer writer = Files.newBufferedWriter(temp, StandardCharsets.US_ASCII)) {
        writer.write(text.toString());
      }
      // createTempFile's mode is masked by nothing, but say it again for a file made by another
      Files.setPosixFilePermissions(
          temp, PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--"));
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
