package dev.outpost.agent.simulate;

import dev.outpost.common.wire.Tuple;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The reports of one simulated agent, shaped as the Landscape Client's plugins send them
 * (computerinfo, hardwareinfo, usermonitor, the package reporter) and sized as the scenario says:
 * made up, and the same for an agent index and seed from run to run.
 */
final class AgentReports {

  private static final String[][] RELEASES = {
    {"Ubuntu", "Ubuntu 24.04.1 LTS", "24.04", "noble"},
    {"Ubuntu", "Ubuntu 22.04.5 LTS", "22.04", "jammy"},
    {"Ubuntu", "Ubuntu 20.04.6 LTS", "20.04", "focal"},
  };

  /** The hardware reports made so far, by size: the same text serves every agent. */
  private static final Map<Long, String> HARDWARE = new ConcurrentHashMap<>();

  private final Scenario scenario;
  private final int index;
  private final String hostname;
  private final SplittableRandom random;

  private int nextUid = 1000;

  AgentReports(Scenario scenario, int index, String hostname) {
    this.scenario = scenario;
    this.index = index;
    this.hostname = hostname;
    this.random = new SplittableRandom(scenario.seed() * 1_000_003L + index);
  }

  /** The reports sent once registered, in the order the client's plugins send them. */
  List<Map<String, Object>> atRegistration() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (String type :
        List.of("computer-info", "distribution-info", "hardware-info", "users", "packages")) {
      Scenario.Report report = scenario.reports().get(type);
      if (report != null && report.atRegistration()) {
        out.add(full(report));
      }
    }
    return out;
  }

  /** The report sent when {@code report}'s interval comes round: its changes since the last. */
  Map<String, Object> later(Scenario.Report report) {
    return switch (report.type()) {
      case "users" -> userChanges(report);
      case "packages" -> packageChanges(report);
      default -> full(report);
    };
  }

  private Map<String, Object> full(Scenario.Report report) {
    return switch (report.type()) {
      case "computer-info" -> computerInfo(report);
      case "distribution-info" -> distributionInfo();
      case "hardware-info" -> message("hardware-info", "data", hardware(report.size("bytes")));
      case "users" -> users(report);
      default -> packages(report);
    };
  }

  private Map<String, Object> computerInfo(Scenario.Report report) {
    Map<String, Object> m = message("computer-info", "hostname", hostname);
    m.put("total-memory", report.size("memory-mib"));
    m.put("total-swap", report.size("swap-mib"));
    m.put("machine-id", String.format("%016x%016x", random.nextLong(), (long) index));
    Map<String, Object> annotations = new LinkedHashMap<>();
    for (int i = 0; i < report.size("annotations"); i++) {
      annotations.put("annotation-" + i, "value " + random.nextInt(1000));
    }
    m.put("annotations", annotations);
    return m;
  }

  private Map<String, Object> distributionInfo() {
    // most of a fleet on the newest release, some on the ones before
    int pick = index % 10 < 6 ? 0 : index % 10 < 9 ? 1 : 2;
    String[] r = RELEASES[pick];
    Map<String, Object> m = message("distribution-info", "distributor-id", r[0]);
    m.put("description", r[1]);
    m.put("release", r[2]);
    m.put("code-name", r[3]);
    return m;
  }

  /** lshw's XML, as hardwareinfo sends it, of about {@code bytes}. */
  static String hardware(long bytes) {
    return HARDWARE.computeIfAbsent(
        bytes,
        size -> {
          StringBuilder xml =
              new StringBuilder("<?xml version=\"1.0\" standalone=\"yes\" ?>\n<list>\n");
          xml.append("<node id=\"simulated\" claimed=\"true\" class=\"system\">\n");
          for (int n = 0; xml.length() < size - 20; n++) {
            xml.append("  <node id=\"device:")
                .append(n)
                .append("\" class=\"bus\"><description>Simulated device ")
                .append(n)
                .append("</description><vendor>Outpost</vendor><physid>")
                .append(Integer.toHexString(n))
                .append("</physid></node>\n");
          }
          return xml.append("</node>\n</list>\n").toString();
        });
  }

  private Map<String, Object> users(Scenario.Report report) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", "users");
    List<Object> users = new ArrayList<>();
    for (long i = 0; i < report.size("users"); i++) {
      users.add(user(i < 25 ? "system" + i : "user" + i, i < 25 ? (int) i + 1 : nextUid++));
    }
    List<Object> groups = new ArrayList<>();
    Map<String, Object> members = new LinkedHashMap<>();
    for (long i = 0; i < report.size("groups"); i++) {
      Map<String, Object> group = new LinkedHashMap<>();
      group.put("gid", i < 40 ? i : 1000 + i);
      group.put("name", "group" + i);
      groups.add(group);
      if (i % 5 == 0 && report.size("users") > 0) {
        members.put("group" + i, List.of("user" + (report.size("users") - 1)));
      }
    }
    m.put("create-users", users);
    m.put("create-groups", groups);
    m.put("create-group-members", members);
    return m;
  }

  private Map<String, Object> userChanges(Scenario.Report report) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", "users");
    List<Object> updated = new ArrayList<>();
    for (long i = 0; i < Math.max(1, report.size("changes")); i++) {
      updated.add(user("user" + random.nextInt(1 + (int) report.size("users")), nextUid++));
    }
    m.put("update-users", updated);
    return m;
  }

  private Map<String, Object> user(String name, int uid) {
    Map<String, Object> user = new LinkedHashMap<>();
    user.put("uid", (long) uid);
    user.put("username", name);
    user.put("name", name.startsWith("user") ? "Simulated User " + uid : null);
    user.put("enabled", true);
    user.put("location", null);
    user.put("home-phone", null);
    user.put("work-phone", null);
    user.put("primary-gid", (long) uid);
    return user;
  }

  private Map<String, Object> packages(Scenario.Report report) {
    int available = (int) report.size("available");
    // the installed ones scattered over the archive, the rest of the archive available
    BitSet installed = pick(available, (int) Math.min(report.size("installed"), available));
    BitSet notInstalled = new BitSet(available);
    notInstalled.set(0, available);
    notInstalled.andNot(installed);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", "packages");
    m.put("installed", ranges(installed));
    m.put("available", ranges(notInstalled));
    m.put("available-upgrades", ranges(sample(installed, report.size("upgrades"))));
    m.put("security", ranges(sample(installed, report.size("security"))));
    return m;
  }

  /** Changes since the last report; an agent keeps no list of its packages (it costs memory). */
  private Map<String, Object> packageChanges(Scenario.Report report) {
    int archive = (int) Math.max(1, report.size("available"));
    BitSet added = new BitSet();
    BitSet removed = new BitSet();
    for (long i = 0; i < report.size("changes"); i++) {
      added.set(random.nextInt(archive));
      removed.set(random.nextInt(archive));
    }
    removed.andNot(added);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", "packages");
    m.put("installed", ranges(added));
    m.put("not-installed", ranges(removed));
    m.put("available-upgrades", List.of((long) random.nextInt(archive) + 1));
    return m;
  }

  private BitSet pick(int from, int count) {
    BitSet out = new BitSet(from);
    // clustered, as packages of a kind sit together in the archive
    while (out.cardinality() < count) {
      int start = random.nextInt(from);
      int run = 1 + random.nextInt(8);
      out.set(start, Math.min(from, start + Math.min(run, count - out.cardinality())));
    }
    return out;
  }

  private BitSet sample(BitSet set, long count) {
    BitSet out = new BitSet();
    int size = set.cardinality();
    if (size == 0) {
      return out;
    }
    for (long i = 0; i < Math.min(count, size); i++) {
      int skip = random.nextInt(size);
      int bit = set.nextSetBit(0);
      for (int s = 0; s < skip && bit >= 0; s++) {
        bit = set.nextSetBit(bit + 1);
      }
      out.set(Math.max(0, bit));
    }
    return out;
  }

  /**
   * Ids as the client's sequence_to_ranges writes them: a run of three or more as a (first, last)
   * tuple, shorter runs as single ids.
   */
  static List<Object> ranges(BitSet ids) {
    List<Object> out = new ArrayList<>();
    int start = ids.nextSetBit(0);
    while (start >= 0) {
      int end = ids.nextClearBit(start) - 1;
      if (end - start >= 2) {
        out.add(Tuple.of((long) start + 1, (long) end + 1));
      } else {
        for (int id = start; id <= end; id++) {
          out.add((long) id + 1);
        }
      }
      start = ids.nextSetBit(end + 1);
    }
    return out;
  }

  private static Map<String, Object> message(String type, String key, Object value) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", type);
    m.put(key, value);
    return m;
  }
}
