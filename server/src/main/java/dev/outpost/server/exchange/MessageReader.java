package dev.outpost.server.exchange;

import dev.outpost.common.activity.ActivityMessages;
import dev.outpost.common.activity.Status;
import dev.outpost.common.error.OutpostException;
import dev.outpost.common.wire.StorableText;
import dev.outpost.common.wire.WireMap;
import dev.outpost.server.log.Mdc;
import dev.outpost.server.packages.PackageReport;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sorts a client's fresh messages into results to apply and reports to record, their texts made
 * storable. A message that cannot be read is quarantined with the reason: refusing the whole
 * exchange would make the client send it forever.
 */
final class MessageReader {

  private static final Logger LOG = LoggerFactory.getLogger(MessageReader.class);

  /** Landscape's operation-result status codes. */
  private static final long FAILED = 5;

  private static final long SUCCEEDED = 6;

  /** change-packages-result's code for success. */
  private static final long PACKAGES_OK = 1;

  /** What one exchange brought. */
  record Incoming(
      List<OperationResult> results,
      List<Progress> progress,
      List<Output> output,
      List<String> recordTypes,
      List<JsonObject> recordBodies,
      List<Quarantined> quarantined,
      List<PackageReport> packages) {

    static final Incoming NOTHING =
        new Incoming(List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of());

    /** The same, with these messages quarantined besides. */
    Incoming quarantining(List<Quarantined> more) {
      List<Quarantined> all = new ArrayList<>(quarantined);
      all.addAll(more);
      return new Incoming(results, progress, output, recordTypes, recordBodies, all, packages);
    }
  }

  /** An agent's report that an operation is partly done (Outpost's own message type). */
  record Progress(long activityId, int percent) {}

  /** A chunk of a running operation's output (Outpost's own message type), its text storable. */
  record Output(long activityId, long offset, String text) {}

  Incoming read(long computerId, List<Object> messages) {
    List<OperationResult> results = new ArrayList<>();
    List<Progress> progress = new ArrayList<>();
    List<Output> output = new ArrayList<>();
    List<String> types = new ArrayList<>();
    List<JsonObject> bodies = new ArrayList<>();
    List<Quarantined> quarantined = new ArrayList<>();
    List<PackageReport> packages = new ArrayList<>();
    for (Object raw : messages) {
      try {
        WireMap message = WireMap.of(raw);
        String type = message.text("type");
        switch (type) {
          case "operation-result" -> operationResult(message).ifPresent(results::add);
          case "operation-progress" ->
              progress.add(
                  new Progress(
                      message.integer("operation-id"),
                      (int) Math.max(0, Math.min(100, message.integer("progress")))));
          case ActivityMessages.OPERATION_OUTPUT ->
              output.add(
                  new Output(
                      message.integer("operation-id"),
                      message.integer("offset"),
                      StorableText.of(message.text("text"))));
          case "change-packages-result" ->
              results.add(
                  result(
                      message,
                      message.optionalInteger("result-code").orElse(0L) == PACKAGES_OK
                          ? Status.SUCCEEDED
                          : Status.FAILED));
          case "resynchronize" -> {
            if (message.has("operation-id")) {
              results.add(result(message, Status.SUCCEEDED));
            } else {
              // the client resynchronizes on its own: its package reports start afresh
              packages.add(PackageReport.FORGET);
            }
          }
          // the package reporter's hash-id handshake and its package lists
          case PackageReport.UNKNOWN_HASHES, PackageReport.ADD_PACKAGES, PackageReport.PACKAGES ->
              packages.add(PackageReport.read(message));
          case "register" -> {
            try (var mdc = Mdc.computer(computerId)) {
              LOG.debug("register from a registered computer ignored [computer: {}]", computerId);
            }
          }
          default -> {
            if (ClientReports.isReport(type)) {
              // the computer's reports of itself, read strictly: kept per computer
              JsonObject report = ClientReports.read(type, message);
              types.add(type);
              bodies.add(report);
            } else if (ServerTypes.REGISTERED.contains(type)) {
              types.add(type);
              bodies.add(Registration.json(message.asMap()));
            } else {
              try (var mdc = Mdc.computer(computerId)) {
                LOG.debug(
                    "message of a type not accepted ignored [computer: {}, type: {}]",
                    computerId,
                    type);
              }
            }
          }
        }
      } catch (RuntimeException e) {
        // anything: a wrong type, a value out of range, a float JSON cannot hold
        String reason = e instanceof OutpostException ? e.getMessage() : "unreadable: " + e;
        try (var mdc = Mdc.computer(computerId)) {
          LOG.warn("client message quarantined [computer: {}, problem: {}]", computerId, reason);
        }
        quarantined.add(Quarantined.of(raw, reason));
      }
    }
    return new Incoming(results, progress, output, types, bodies, quarantined, packages);
  }

  private static Optional<OperationResult> operationResult(WireMap message) {
    long status = message.integer("status");
    if (status != SUCCEEDED && status != FAILED) {
      LOG.debug("operation-result with a status that is not final ignored [status: {}]", status);
      return Optional.empty();
    }
    return Optional.of(result(message, status == SUCCEEDED ? Status.SUCCEEDED : Status.FAILED));
  }

  private static OperationResult result(WireMap message, Status status) {
    Optional<String> text =
        message
            .optionalText("result-text")
            .map(
                t ->
                    StorableText.of(
                        t.length() > OperationResult.MAX_TEXT
                            ? t.substring(0, OperationResult.MAX_TEXT)
                            : t));
    return new OperationResult(
        message.integer("operation-id"),
        status,
        message.optionalInteger("result-code").map(Long::intValue),
        text);
  }
}
