package dev.outpost.server.net;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The rule for where the server's own requests may go. */
@ExtendWith(VertxExtension.class)
class OutboundAddressesTest {

  /** Verifies that each address is judged public or named for the kind of address it is. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "8.8.8.8                   |",
        "1.1.1.1                   |",
        "11.0.0.1                  |",
        "100.63.255.255            |",
        "100.128.0.0               |",
        "172.15.255.255            |",
        "172.32.0.0                |",
        "192.169.0.1               |",
        "223.255.255.255           |",
        "2606:4700:4700::1111      |",
        "2001:4860:4860::8888      |",
        "::ffff:8.8.8.8            |",
        "64:ff9b::808:808          |",
        "2002:808:808::1           |",
        "127.0.0.1                 | loopback",
        "127.255.255.254           | loopback",
        "10.1.2.3                  | private (RFC 1918)",
        "172.16.0.1                | private (RFC 1918)",
        "172.31.255.255            | private (RFC 1918)",
        "192.168.1.1               | private (RFC 1918)",
        "169.254.169.254           | link-local",
        "0.0.0.0                   | unspecified",
        "0.1.2.3                   | unspecified",
        "100.64.0.1                | shared address space",
        "192.0.0.8                 | reserved for protocols",
        "192.0.2.1                 | documentation",
        "198.18.0.1                | benchmarking",
        "198.51.100.7              | documentation",
        "203.0.113.9               | documentation",
        "224.0.0.1                 | multicast",
        "239.255.255.250           | multicast",
        "240.0.0.1                 | reserved",
        "255.255.255.255           | reserved",
        "::1                       | loopback",
        "::                        | unspecified",
        "fe80::1                   | link-local",
        "febf:ffff::1              | link-local",
        "fec0::1                   | site-local",
        "fc00::1                   | unique local (private)",
        "fd12:3456::1              | unique local (private)",
        "ff02::1                   | multicast",
        "2001:db8::1               | documentation",
        "3fff::1                   | documentation",
        "2001:0:4136:e378:8000:63bf:3fff:fdd2 | reserved for protocols",
        "100::1                    | discard-only",
        "64:ff9b:1::1              | local NAT64",
        "::ffff:127.0.0.1          | loopback, IPv4-mapped",
        "::ffff:10.0.0.1           | private (RFC 1918), IPv4-mapped",
        "::ffff:169.254.169.254    | link-local, IPv4-mapped",
        "::ffff:0.0.0.0            | unspecified, IPv4-mapped",
        "64:ff9b::7f00:1           | loopback, NAT64",
        "64:ff9b::a9fe:a9fe        | link-local, NAT64",
        "2002:7f00:1::1            | loopback, 6to4",
        "2002:c0a8:101::1          | private (RFC 1918), 6to4",
        "::7f00:1                  | not global unicast",
        "1::1                      | not global unicast",
        "4000::1                   | not global unicast",
      })
  void judgesEachAddress(String text, String kind) throws Exception {
    assertThat(OutboundAddresses.nonPublicKind(address(text)).orElse(null)).isEqualTo(kind);
  }

  /** Verifies that the JDK's own reading of a mapped address (as IPv4) is judged the same. */
  @Test
  void aMappedAddressReadAsIpv4IsJudgedAsIpv4() throws Exception {
    InetAddress read = InetAddress.getByName("::ffff:127.0.0.1");

    assertThat(OutboundAddresses.nonPublicKind(read)).contains("loopback");
  }

  /**
   * Verifies that a host is refused when any one of its addresses is not public, the refusal naming
   * the address, the host and the setting, and that the setting allows every address.
   */
  @Test
  void everyAddressOfAHostMustBePublicUnlessAllowed() throws Exception {
    OutboundAddresses strict = new OutboundAddresses(List.of());
    InetAddress[] mixed = {address("93.184.216.34"), address("10.0.0.7")};

    assertThatThrownBy(() -> strict.check("repo.example", mixed))
        .isInstanceOf(OutboundAddresses.Refused.class)
        .hasMessage(
            "address 10.0.0.7 of host 'repo.example' is not public (private (RFC 1918));"
                + " set OUTPOST_OUTBOUND_ALLOW_PRIVATE to allow it");
    assertThat(strict.check("repo.example", address("93.184.216.34"), address("8.8.8.8")))
        .isEqualTo(address("93.184.216.34"));
    assertThat(new OutboundAddresses(OutboundAddresses.EVERY_ADDRESS).check("repo.example", mixed))
        .isEqualTo(address("93.184.216.34"));
  }

  /** Verifies that allowed blocks let their own addresses through, and only those. */
  @Test
  void allowedBlocksLetOnlyTheirAddressesThrough() throws Exception {
    OutboundAddresses rule =
        new OutboundAddresses(OutboundAddresses.readSetting("10.1.0.0/16, 127.0.0.1, fd00::/8"));

    assertThat(rule.check("mirror", address("10.1.255.9"))).isEqualTo(address("10.1.255.9"));
    assertThat(rule.check("mirror", address("::ffff:10.1.0.1"))).isNotNull();
    assertThat(rule.check("mirror", address("fd12::1"))).isNotNull();
    assertThat(rule.check("mirror", address("127.0.0.1"))).isNotNull();
    for (String refused : List.of("10.2.0.1", "127.0.0.2", "::1", "fe80::1", "::ffff:10.2.0.1")) {
      assertThatThrownBy(() -> rule.check("mirror", address(refused)))
          .as(refused)
          .isInstanceOf(OutboundAddresses.Refused.class);
    }
    assertThat(OutboundAddresses.readSetting("false")).isEmpty();
    assertThat(OutboundAddresses.readSetting(" ")).isEmpty();
    assertThat(OutboundAddresses.readSetting("TRUE")).isEqualTo(OutboundAddresses.EVERY_ADDRESS);
    for (String bad :
        List.of("yes", "localhost", "10.0.0.256", "10.0.0.0/33", "::1/129", "1.2.3")) {
      assertThatThrownBy(() -> OutboundAddresses.readSetting(bad))
          .as(bad)
          .hasMessageEndingWith("not '" + bad + "'");
    }
  }

  /** Verifies that resolving a host checks what it resolves to: localhost is loopback. */
  @Test
  void resolvingLocalhostIsRefused(Vertx vertx) {
    assertThatThrownBy(() -> await(new OutboundAddresses(List.of()).resolve(vertx, "localhost")))
        .isInstanceOf(OutboundAddresses.Refused.class)
        .hasMessageStartingWith("address ")
        .hasMessageContaining(" of host 'localhost' is not public (loopback")
        .hasMessageEndingWith("; set OUTPOST_OUTBOUND_ALLOW_PRIVATE to allow it");
    OutboundAddresses all = new OutboundAddresses(OutboundAddresses.EVERY_ADDRESS);
    assertThat(await(all.resolve(vertx, "127.0.0.1"))).isEqualTo(InetAddress.getLoopbackAddress());
    assertThatThrownBy(() -> await(all.resolve(vertx, "no-such.invalid")))
        .hasMessage("host 'no-such.invalid' does not resolve");
  }

  /** An address from a literal, IPv6 when written so (the JDK reads ::ffff:a.b.c.d as IPv4). */
  private static InetAddress address(String text) throws UnknownHostException {
    InetAddress parsed = InetAddress.getByName(text);
    if (!text.contains(":") || parsed instanceof Inet6Address) {
      return parsed;
    }
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    System.arraycopy(parsed.getAddress(), 0, mapped, 12, 4);
    return Inet6Address.getByAddress(null, mapped, -1);
  }
}
