package dev.outpost.server.packages;

import dev.outpost.common.error.OutpostException;
import dev.outpost.common.wire.Bytes;
import dev.outpost.common.wire.StorableText;
import dev.outpost.common.wire.Tuple;
import dev.outpost.common.wire.WireMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a client's package reporter sends, read and bounded: the hashes it has no id for ({@code
 * unknown-package-hashes}), the packages behind hashes the server did not know ({@code
 * add-packages}), and the changes to what the computer has ({@code packages}). A message outside
 * the bounds is refused whole (the exchange quarantines it, naming the problem).
 */
public sealed interface PackageReport {

  /** The message types read here. */
  String UNKNOWN_HASHES = "unknown-package-hashes";

  /** Packages the client describes, for hashes the server answered with no id. */
  String ADD_PACKAGES = "add-packages";

  /** Changes to a computer's installed, available, upgradable and held packages. */
  String PACKAGES = "packages";

  /** The server's answer to the first two: the ids, in the order of the request's hashes. */
  String PACKAGE_IDS = "package-ids";

  /** Hashes in one unknown-package-hashes, at most (the client sends 2,000 at most). */
  int MAX_HASHES = 5_000;

  /** Packages in one add-packages, at most. */
  int MAX_ADDED = 5_000;

  /** Ids one list of a packages message may name, at most, its ranges counted out. */
  int MAX_IDS = 500_000;

  /** A package's name or version longer than this is refused. */
  int MAX_NAME = 512;

  /** A package's section and summary are cut to this. */
  int MAX_TEXT = 1_000;

  /** Asks for the ids of these hashes. */
  record UnknownHashes(long requestId, List<byte[]> hashes) implements PackageReport {}

  /** Describes packages the server answered no id for; each is added to the account's table. */
  record AddPackages(long requestId, List<Described> packages) implements PackageReport {}

  /** One package version as the client describes it, with the hash computed over it. */
  record Described(
      byte[] hash,
      long type,
      String name,
      String version,
      Optional<String> section,
      Optional<String> summary,
      Optional<Long> size,
      Optional<Long> installedSize) {}

  /**
   * Changes to a computer's package lists: for each list, the ids now in it and those no longer,
   * each sorted.
   */
  record Changes(Map<PackageList, int[]> added, Map<PackageList, int[]> removed)
      implements PackageReport {}

  /**
   * The client starts its package reports afresh (it resynchronizes): the computer's lists are
   * forgotten, to be reported again whole.
   */
  record Forget() implements PackageReport {}

  /** The one {@link Forget}. */
  PackageReport FORGET = new Forget();

  /** The resynchronize scope of the package reports. */
  String SCOPE = "package";

  /** The lists kept per computer, with the keys the packages message names them by. */
  enum PackageList {
    INSTALLED("installed", "not-installed"),
    AVAILABLE("available", "not-available"),
    UPGRADABLE("available-upgrades", "not-available-upgrades"),
    HELD("locked", "not-locked");

    final String key;
    final String notKey;

    PackageList(String key, String notKey) {
      this.key = key;
      this.notKey = notKey;
    }
  }

  /** Reads a message of one of the three types; a message outside the bounds is refused. */
  static PackageReport read(WireMap message) {
    String type = message.text("type");
    return switch (type) {
      case UNKNOWN_HASHES -> unknownHashes(message);
      case ADD_PACKAGES -> addPackages(message);
      case PACKAGES -> changes(message);
      default -> throw new IllegalArgumentException("not a package message: " + type);
    };
  }

  private static UnknownHashes unknownHashes(WireMap message) {
    List<Object> raw = message.list("hashes");
    if (raw.size() > MAX_HASHES) {
      throw refused("'hashes' holds " + raw.size() + " hashes; at most " + MAX_HASHES);
    }
    List<byte[]> hashes = new ArrayList<>(raw.size());
    for (Object item : raw) {
      hashes.add(hash(item));
    }
    return new UnknownHashes(message.integer("request-id"), hashes);
  }

  private static AddPackages addPackages(WireMap message) {
    List<WireMap> raw = message.mapList("packages");
    if (raw.size() > MAX_ADDED) {
      throw refused("'packages' holds " + raw.size() + " packages; at most " + MAX_ADDED);
    }
    List<Described> packages = new ArrayList<>(raw.size());
    for (WireMap p : raw) {
      long type = p.integer("type");
      String name = bounded(p.text("name"), "name");
      String version = bounded(p.text("version"), "version");
      List<PackageHash.Relation> relations = new ArrayList<>();
      for (Object relation : p.optionalList("relations").orElse(List.of())) {
        List<Object> pair = relation instanceof Tuple t ? t.items() : asList(relation);
        if (pair.size() != 2 || !(pair.get(0) instanceof Long kind)) {
          throw refused("a relation of package '" + name + "' is not a (type, text) pair");
        }
        relations.add(new PackageHash.Relation(kind, text(pair.get(1))));
      }
      packages.add(
          new Described(
              PackageHash.of(type, name, version, relations),
              type,
              name,
              version,
              optionalText(p, "section"),
              optionalText(p, "summary"),
              p.has("size") && p.get("size") != null ? p.optionalInteger("size") : Optional.empty(),
              p.has("installed-size") && p.get("installed-size") != null
                  ? p.optionalInteger("installed-size")
                  : Optional.empty()));
    }
    return new AddPackages(message.integer("request-id"), packages);
  }

  private static Changes changes(WireMap message) {
    Map<PackageList, int[]> added = new LinkedHashMap<>();
    Map<PackageList, int[]> removed = new LinkedHashMap<>();
    for (PackageList list : PackageList.values()) {
      message.optionalList(list.key).ifPresent(ranges -> added.put(list, ids(list.key, ranges)));
      message
          .optionalList(list.notKey)
          .ifPresent(ranges -> removed.put(list, ids(list.notKey, ranges)));
    }
    return new Changes(added, removed);
  }

  /**
   * The ids of a list of ranges, as the client's sequence_to_ranges makes them: single ids, and
   * (first, last) pairs for three or more in a row; sorted, each id once.
   */
  static int[] ids(String key, List<Object> ranges) {
    int[] ids = new int[Math.min(ranges.size(), MAX_IDS)];
    int n = 0;
    for (Object item : ranges) {
      long first;
      long last;
      if (item instanceof Long single) {
        first = single;
        last = single;
      } else if ((item instanceof Tuple || item instanceof List<?>)
          && asList(item).size() == 2
          && asList(item).get(0) instanceof Long a
          && asList(item).get(1) instanceof Long b) {
        first = a;
        last = b;
      } else {
        throw refused("'" + key + "' holds an item that is neither an id nor a range");
      }
      if (first < 1 || last > Integer.MAX_VALUE || first > last) {
        throw refused("'" + key + "' holds the range " + first + "-" + last + " of no ids");
      }
      if (n + (last - first + 1) > MAX_IDS) {
        throw refused("'" + key + "' names more than " + MAX_IDS + " ids");
      }
      if (n + (last - first + 1) > ids.length) {
        ids =
            Arrays.copyOf(
                ids, (int) Math.min(MAX_IDS, Math.max(ids.length * 2L, n + last - first + 1)));
      }
      for (long id = first; id <= last; id++) {
        ids[n++] = (int) id;
      }
    }
    int[] sorted = Arrays.copyOf(ids, n);
    Arrays.sort(sorted);
    return Arrays.stream(sorted).distinct().toArray();
  }

  private static byte[] hash(Object item) {
    if (item instanceof Bytes bytes && bytes.length() == 20) {
      return bytes.toArray();
    }
    throw refused("'hashes' holds an item that is not a 20-byte hash");
  }

  @SuppressWarnings("unchecked")
  private static List<Object> asList(Object value) {
    if (value instanceof Tuple t) {
      return t.items();
    }
    if (value instanceof List<?> list) {
      return (List<Object>) list;
    }
    return List.of();
  }

  private static String text(Object value) {
    if (value instanceof String s) {
      return s;
    }
    if (value instanceof Bytes b) {
      return new String(b.toArray(), java.nio.charset.StandardCharsets.UTF_8);
    }
    throw refused("a relation's text is not text");
  }

  private static Optional<String> optionalText(WireMap p, String key) {
    if (!p.has(key) || p.get(key) == null) {
      return Optional.empty();
    }
    String text = StorableText.of(p.text(key));
    return Optional.of(text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) : text);
  }

  private static String bounded(String text, String what) {
    if (text.isEmpty() || text.length() > MAX_NAME) {
      throw refused("a package's " + what + " is empty or longer than " + MAX_NAME + " characters");
    }
    return StorableText.of(text);
  }

  private static OutpostException refused(String problem) {
    return OutpostException.badRequest(problem);
  }
}
