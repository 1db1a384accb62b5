package dev.outpost.server.net;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which addresses the server's own requests may go to: public ones, and those of the blocks the
 * operator allows ({@value #ALLOW_SETTING}).
 */
public final class OutboundAddresses {

  /** The setting that allows addresses that are not public, named in each refusal. */
  public static final String ALLOW_SETTING = "OUTPOST_OUTBOUND_ALLOW_PRIVATE";

  /** The blocks {@code true} stands for: every address. */
  public static final List<String> EVERY_ADDRESS = List.of("0.0.0.0/0", "::/0");

  /** An IPv4 literal (declared before the blocks: their parsing uses it). */
  private static final Pattern DOTTED_QUAD =
      Pattern.compile("(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}");

  /**
   * Blocks that are not public, one line each, from IANA's special-purpose address registries. An
   * IPv6 address outside 2000::/3 (global unicast) is not public either; IPv6 forms that carry an
   * IPv4 address (mapped, NAT64, 6to4) are judged by the IPv4 address they carry.
   */
  private static final List<Block> NOT_PUBLIC =
      List.of(
          block("0.0.0.0/8", "unspecified"),
          block("10.0.0.0/8", "private (RFC 1918)"),
          block("100.64.0.0/10", "shared address space"),
          block("127.0.0.0/8", "loopback"),
          block("169.254.0.0/16", "link-local"),
          block("172.16.0.0/12", "private (RFC 1918)"),
          block("192.0.0.0/24", "reserved for protocols"),
          block("192.0.2.0/24", "documentation"),
          block("192.88.99.0/24", "6to4 relay"),
          block("192.168.0.0/16", "private (RFC 1918)"),
          block("198.18.0.0/15", "benchmarking"),
          block("198.51.100.0/24", "documentation"),
          block("203.0.113.0/24", "documentation"),
          block("224.0.0.0/4", "multicast"),
          block("240.0.0.0/4", "reserved"),
          block("::/128", "unspecified"),
          block("::1/128", "loopback"),
          block("64:ff9b:1::/48", "local NAT64"),
          block("100::/64", "discard-only"),
          // Teredo (2001::/32) among them: it carries an IPv4 address that could be anything.
          block("2001::/23", "reserved for protocols"),
          block("2001:db8::/32", "documentation"),
          block("3fff::/20", "documentation"),
          block("5f00::/16", "segment routing"),
          block("fc00::/7", "unique local (private)"),
          block("fe80::/10", "link-local"),
          block("fec0::/10", "site-local"),
          block("ff00::/8", "multicast"));

  private static final Block GLOBAL_UNICAST = block("2000::/3", "global unicast");
  private static final Block MAPPED = block("::ffff:0:0/96", "IPv4-mapped");
  private static final Block NAT64 = block("64:ff9b::/96", "NAT64");
  private static final Block SIX_TO_FOUR = block("2002::/16", "6to4");

  private final List<Block> allowed;

  /**
   * A rule that refuses addresses that are not public, unless one of the {@code allowed} blocks
   * ({@code 10.1.0.0/16}, {@code fd00::/8}, an address alone) holds them.
   */
  public OutboundAddresses(List<String> allowed) {
    this.allowed = allowed.stream().map(cidr -> block(cidr, "allowed")).toList();
  }

  /**
   * Reads {@value #ALLOW_SETTING}: {@code false} (or nothing) allows no address that is not public,
   * {@code true} every address, else a comma-separated list of blocks.
   *
   * @throws IllegalArgumentException naming the setting and the entry it cannot read
   */
  public static List<String> readSetting(String value) {
    String text = value == null ? "" : value.strip();
    if (text.isEmpty() || text.equalsIgnoreCase("false")) {
      return List.of();
    }
    if (text.equalsIgnoreCase("true")) {
      return EVERY_ADDRESS;
    }
    List<String> blocks =
        Arrays.stream(text.split(","))
            .map(String::strip)
            .filter(entry -> !entry.isEmpty())
            .toList();
    for (String entry : blocks) {
      try {
        block(entry, "allowed");
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            ALLOW_SETTING
                + " must be true, false or address"
                + " blocks such as 10.1.0.0/16, not '"
                + entry
                + "'");
      }
    }
    return blocks;
  }

  /** What kind of non-public address this is, or empty when it is public. */
  public static Optional<String> nonPublicKind(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (bytes.length == 4) {
      return kindOf(bytes);
    }
    for (Block carrier : List.of(MAPPED, NAT64)) {
      if (carrier.contains(bytes)) {
        return kindOf(Arrays.copyOfRange(bytes, 12, 16)).map(k -> k + ", " + carrier.kind());
      }
    }
    if (SIX_TO_FOUR.contains(bytes)) {
      return kindOf(Arrays.copyOfRange(bytes, 2, 6)).map(k -> k + ", " + SIX_TO_FOUR.kind());
    }
    Optional<String> listed = kindOf(bytes);
    if (listed.isPresent() || GLOBAL_UNICAST.contains(bytes)) {
      return listed;
    }
    return Optional.of("not global unicast");
  }

  /**
   * Resolves {@code host} once and answers the address to connect to: the first it resolves to,
   * once every one of them passed, so what was checked is what is connected to.
   */
  public Future<InetAddress> resolve(Vertx vertx, String host) {
    return vertx.executeBlocking(
        () -> {
          try {
            return check(host, InetAddress.getAllByName(host));
          } catch (UnknownHostException e) {
            throw new Refused("host '" + host + "' does not resolve");
          }
        },
        false);
  }

  /** Answers the first address once all of them passed; refuses the first that does not. */
  public InetAddress check(String host, InetAddress... addresses) {
    if (addresses.length == 0) {
      throw new Refused("host '" + host + "' does not resolve");
    }
    for (InetAddress address : addresses) {
      Optional<String> kind = nonPublicKind(address);
      if (kind.isPresent() && !isAllowed(address.getAddress())) {
        throw new Refused(
            "address "
                + address.getHostAddress()
                + " of host '"
                + host
                + "' is not public ("
                + kind.get()
                + "); set "
                + ALLOW_SETTING
                + " to allow it");
      }
    }
    return addresses[0];
  }

  private boolean isAllowed(byte[] address) {
    if (address.length == 16 && MAPPED.contains(address)) {
      return isAllowed(Arrays.copyOfRange(address, 12, 16));
    }
    return allowed.stream().anyMatch(block -> block.contains(address));
  }

  /** A request refused for where it would go; its message says why. */
  public static final class Refused extends RuntimeException {

    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message, null, false, false);
    }
  }

  private static Optional<String> kindOf(byte[] address) {
    return NOT_PUBLIC.stream().filter(b -> b.contains(address)).map(Block::kind).findFirst();
  }

  /** A block from {@code address/bits} or an address alone; refuses anything but a literal. */
  private static Block block(String cidr, String kind) {
    int slash = cidr.indexOf('/');
    String literal = slash < 0 ? cidr : cidr.substring(0, slash);
    // only dotted quads and IPv6 literals: the JDK would look any other text up
    if (!literal.contains(":") && !DOTTED_QUAD.matcher(literal).matches()) {
      throw new IllegalArgumentException("not an address: " + cidr);
    }
    try {
      // a literal: parsed, never looked up
      byte[] network = InetAddress.getByName(literal).getAddress();
      if (cidr.contains(":") && network.length == 4) {
        // the JDK reads ::ffff:a.b.c.d as IPv4; the block itself is IPv6
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(network, 0, mapped, 12, 4);
        network = mapped;
      }
      int bits = slash < 0 ? network.length * 8 : Integer.parseInt(cidr.substring(slash + 1));
      if (bits < 0 || bits > network.length * 8) {
        throw new IllegalArgumentException("prefix out of range: " + cidr);
      }
      return new Block(network, bits, kind);
    } catch (UnknownHostException | NumberFormatException e) {
      throw new IllegalArgumentException("not an address block: " + cidr, e);
    }
  }

  /** An address block: the addresses whose first {@code bits} bits are the network's. */
  private record Block(byte[] network, int bits, String kind) {

    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int whole = bits / 8;
      for (int i = 0; i < whole; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (address[whole] & mask) == (network[whole] & mask);
    }
  }
}
