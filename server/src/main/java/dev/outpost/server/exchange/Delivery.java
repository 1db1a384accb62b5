package dev.outpost.server.exchange;

import dev.outpost.common.activity.ActivityMessages;
import dev.outpost.common.activity.ActivityType;
import dev.outpost.common.activity.ActivityTypes;
import dev.outpost.common.wire.Bpickle;
import dev.outpost.server.account.Secrets;
import dev.outpost.server.activity.CancelNotices;
import dev.outpost.server.activity.Delivered;
import dev.outpost.server.activity.Transitions;
import dev.outpost.server.exchange.ExchangePlanner.Bookkeeping;
import dev.outpost.server.log.Mdc;
import dev.outpost.server.packages.PackageChoices;
import dev.outpost.server.packages.PackageReport;
import dev.outpost.server.packages.PackageStore;
import dev.outpost.server.script.ScriptRun;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The close of every exchange: the computers' due activities are moved to In Progress and their
 * messages written into the outgoing stores (a script's attachments stored, to be fetched by id),
 * with a {@code cancel-operation} for each running activity canceled since, to the agents that
 * accept it ({@link CancelNotices}), and a {@code set-intervals} where the account's client
 * intervals changed since ({@link IntervalNotices}); each store's head read back, the computers'
 * state saved and the transaction committed, the statements pipelined in that order; then each
 * computer is answered with its store's head.
 */
final class Delivery {

  private static final Logger LOG = LoggerFactory.getLogger(Delivery.class);

  private final ExchangePlanner planner;
  private final Optional<String> publicUrl;

  /**
   * The close of exchanges, answered by this planner; scripts are told the server's public URL when
   * it is known.
   */
  Delivery(ExchangePlanner planner, Optional<String> publicUrl) {
    this.planner = planner;
    this.publicUrl = publicUrl;
  }

  /**
   * Delivers and answers the computers of a batch whose writes are done.
   *
   * @param afters the computers' states as the exchange leaves them
   * @param states the computers' states as read with their locks, by id
   * @param limited the computers with children due in a group with limits, already locked
   * @return the answers by computer id
   */
  Future<Map<Long, Map<String, Object>>> answer(
      PipelinedTransaction tx,
      List<Bookkeeping> afters,
      Map<Long, ComputerState> states,
      Set<Long> limited,
      Instant now) {
    SqlClient conn = tx.connection();
    List<Long> ids = afters.stream().map(Bookkeeping::computerId).toList();
    // only agents that accept the message are asked: the Landscape Client's batches skip it
    List<Long> cancelable =
        afters.stream()
            .filter(after -> after.clientTypes().contains(ActivityMessages.CANCEL_OPERATION))
            .map(Bookkeeping::computerId)
            .toList();
    Future<List<CancelNotices.Notice>> cancels = CancelNotices.take(conn, cancelable);
    return deliver(conn, ids, limited, now)
        .compose(delivered -> encode(conn, delivered, states))
        .compose(encoded -> cancels.map(taken -> withCancels(encoded, taken)))
        .compose(
            encoded -> {
              Map<Long, String> tokens = new HashMap<>();
              List<ComputerStateStore.Saved> saved = new ArrayList<>(afters.size());
              for (Bookkeeping after : afters) {
                ComputerState state = states.get(after.computerId());
                // the account's client intervals, when they changed since the computer was told
                IntervalNotices.message(after, state)
                    .ifPresent(message -> encoded.add(new Tagged<>(after.computerId(), message)));
                String token = Secrets.generate();
                tokens.put(after.computerId(), token);
                saved.add(
                    new ComputerStateStore.Saved(
                        after.computerId(),
                        after.nextExpectedIn(),
                        after.outBase(),
                        Secrets.hash(token),
                        after.clientTypes(),
                        IntervalNotices.sent(after, state)));
              }
              Future<Void> queued = OutgoingStore.enqueue(conn, encoded, now);
              Future<Map<Long, List<byte[]>>> heads =
                  OutgoingStore.pending(conn, ids, ExchangePlanner.MAX_MESSAGES_OUT);
              Future<Void> stored = ComputerStateStore.save(conn, saved, now);
              Future<Void> committed = tx.commit();
              return Future.all(queued, heads, stored, committed)
                  .map(
                      done -> {
                        Map<Long, Map<String, Object>> answers = new HashMap<>();
                        for (Bookkeeping after : afters) {
                          answers.put(
                              after.computerId(),
                              planner.answer(
                                  after,
                                  heads.result().get(after.computerId()),
                                  tokens.get(after.computerId())));
                        }
                        return answers;
                      });
            });
  }

  /**
   * Moves the computers' due activities to In Progress, at most a response's worth each. The {@code
   * limited} computers are served one statement at a time, so that each counts the children the one
   * before it delivered; the rest in one.
   *
   * @return the activities delivered, by computer in the order given, each's in id order
   */
  private static Future<Map<Long, List<Delivered>>> deliver(
      SqlClient conn, List<Long> computerIds, Set<Long> limited, Instant now) {
    Map<Long, List<Delivered>> deliveries = new LinkedHashMap<>();
    computerIds.forEach(id -> deliveries.put(id, new ArrayList<>()));
    List<Long> free = computerIds.stream().filter(id -> !limited.contains(id)).toList();
    Future<Void> chain = deliverTo(conn, free, now, deliveries);
    for (long id : limited) {
      chain = chain.compose(done -> deliverTo(conn, List.of(id), now, deliveries));
    }
    return chain.map(done -> deliveries);
  }

  private static Future<Void> deliverTo(
      SqlClient conn, List<Long> computerIds, Instant now, Map<Long, List<Delivered>> deliveries) {
    return Transitions.deliver(conn, computerIds, now, ExchangePlanner.MAX_MESSAGES_OUT)
        .map(
            delivered -> {
              delivered.forEach(d -> deliveries.get(d.computerId()).add(d));
              return null;
            });
  }

  private static List<Tagged<byte[]>> withCancels(
      List<Tagged<byte[]>> encoded, List<CancelNotices.Notice> notices) {
    for (CancelNotices.Notice notice : notices) {
      encoded.add(
          new Tagged<>(
              notice.computerId(),
              Bpickle.encode(ActivityMessages.cancelOperation(notice.activityId()))));
      try (var computer = Mdc.computer(notice.computerId());
          var activity = Mdc.activity(notice.activityId())) {
        LOG.info("cancel sent [id: {}, computer: {}]", notice.activityId(), notice.computerId());
      }
    }
    return encoded;
  }

  private Future<List<Tagged<byte[]>>> encode(
      SqlClient conn, Map<Long, List<Delivered>> deliveries, Map<Long, ComputerState> states) {
    Future<List<Tagged<byte[]>>> chain = Future.succeededFuture(new ArrayList<>());
    for (List<Delivered> computer : deliveries.values()) {
      for (Delivered delivered : computer) {
        chain =
            chain.compose(
                encoded ->
                    message(conn, delivered, states.get(delivered.computerId()))
                        .map(
                            message -> {
                              encoded.add(
                                  new Tagged<>(delivered.computerId(), Bpickle.encode(message)));
                              if (LOG.isDebugEnabled()) {
                                try (var computerMdc = Mdc.computer(delivered.computerId());
                                    var activity = Mdc.activity(delivered.activityId())) {
                                  LOG.debug(
                                      "activity delivered [id: {}, computer: {}]",
                                      delivered.activityId(),
                                      delivered.computerId());
                                }
                              }
                              return encoded;
                            }));
      }
    }
    return chain;
  }

  /**
   * The message for one activity; a script's environment gains Landscape's variables, and its
   * attachments are stored and sent as ids to fetch (a run of a saved script without attachments of
   * its own is given the script's).
   */
  private Future<Map<String, Object>> message(
      SqlClient conn, Delivered delivered, ComputerState computer) {
    ActivityType type = ActivityTypes.find(delivered.type()).orElseThrow();
    JsonObject parameters = delivered.parameters();
    Map<String, Object> message = ActivityMessages.build(type, delivered.activityId(), parameters);
    if (PackageChoices.CHANGE_PACKAGES.equals(message.get("type"))) {
      return packageIds(conn, delivered, parameters, message);
    }
    if ("resynchronize".equals(message.get("type")) && resynchronizesPackages(parameters)) {
      // the client's reporter clears what it reported and reports it again whole
      return PackageStore.forget(conn, delivered.computerId()).map(message);
    }
    if (!ScriptEnvironment.MESSAGE_TYPE.equals(message.get("type"))) {
      return Future.succeededFuture(message);
    }
    message.put(
        "env",
        ScriptEnvironment.of(
            delivered, computer.title(), computer.tags(), publicUrl, message.get("env")));
    Object scriptId = parameters.getValue(ScriptRun.SCRIPT_ID);
    JsonObject attachments = parameters.getJsonObject("attachments");
    if (attachments == null && scriptId instanceof Number script) {
      return AttachmentStore.attachScript(
              conn, delivered.computerId(), delivered.activityId(), script.longValue())
          .map(ids -> withAttachments(message, ids));
    }
    if (attachments == null || attachments.isEmpty()) {
      return Future.succeededFuture(message);
    }
    Map<String, Object> ids = new LinkedHashMap<>();
    Future<Void> stored = Future.succeededFuture();
    for (String name : attachments.fieldNames()) {
      byte[] content = String.valueOf(attachments.getValue(name)).getBytes(StandardCharsets.UTF_8);
      stored =
          stored.compose(
              done ->
                  AttachmentStore.attach(
                          conn, delivered.computerId(), delivered.activityId(), name, content)
                      .map(
                          id -> {
                            ids.put(name, id);
                            return null;
                          }));
    }
    return stored.map(done -> withAttachments(message, ids));
  }

  /**
   * A change-packages message with the ids the computer knows for the names it gives, resolved now
   * (the request was checked against the computer's packages when it was made; a name that no
   * longer resolves is left out, and said so in the log).
   */
  private static Future<Map<String, Object>> packageIds(
      SqlClient conn, Delivered delivered, JsonObject parameters, Map<String, Object> message) {
    if (!PackageChoices.namesPackages(parameters)) {
      return Future.succeededFuture(
          PackageChoices.message(
              message, parameters, new PackageChoices.Resolved(Optional.of(Map.of()), List.of())));
    }
    return PackageChoices.resolve(
            conn, Optional.empty(), List.of(delivered.computerId()), parameters)
        .map(
            resolved -> {
              PackageChoices.Resolved mine = resolved.get(delivered.computerId());
              if (!mine.problems().isEmpty()) {
                LOG.warn(
                    "package changes left out [id: {}, computer: {}, problems: {}]",
                    delivered.activityId(),
                    delivered.computerId(),
                    mine.problems());
              }
              return PackageChoices.message(message, parameters, mine);
            });
  }

  private static boolean resynchronizesPackages(JsonObject parameters) {
    var scopes = parameters.getJsonArray("scopes");
    return scopes == null || scopes.isEmpty() || scopes.contains(PackageReport.SCOPE);
  }

  private static Map<String, Object> withAttachments(
      Map<String, Object> message, Map<String, Object> ids) {
    message.put("attachments", ids);
    return message;
  }
}
