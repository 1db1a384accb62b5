package dev.outpost.server.exchange;

import dev.outpost.common.wire.WireMap;
import dev.outpost.server.account.AccountStore;
import dev.outpost.server.account.Secrets;
import dev.outpost.server.exchange.ExchangePlanner.Bookkeeping;
import dev.outpost.server.log.Mdc;
import dev.outpost.server.script.Enrollments;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registration: answers an exchange that names no computer. One that carries a {@code register}
 * message with a known account and key registers a computer, which is sent its accepted types and
 * its ids and then answered like any computer; any other is told what it may send.
 */
final class Registrar {

  private static final Logger LOG = LoggerFactory.getLogger(Registrar.class);

  private final ExchangePlanner planner;
  private final Delivery delivery;
  private final int maxTags;

  /**
   * Registration answered by this planner, closed by this delivery; a computer keeps at most {@code
   * maxTags} of the tags it registers with.
   */
  Registrar(ExchangePlanner planner, Delivery delivery, int maxTags) {
    this.planner = planner;
    this.delivery = delivery;
    this.maxTags = maxTags;
  }

  /** Answers an exchange without a secure-id, in the transaction given. */
  Future<Map<String, Object>> answer(PipelinedTransaction tx, WireMap payload, Instant now) {
    long processed = ExchangePlanner.processed(payload);
    Optional<WireMap> register = ExchangePlanner.registerMessage(payload);
    if (register.isEmpty()) {
      return Future.succeededFuture(planner.notRegistering(processed));
    }
    Registration registration = Registration.read(register.get(), maxTags);
    return AccountStore.registering(
            tx.connection(), registration.accountName(), Secrets.hash(registration.password()))
        .compose(
            account -> {
              if (account.isEmpty()) {
                LOG.info(
                    "registration refused [account: {}, title: {}]",
                    registration.accountName(),
                    registration.title());
                return Future.succeededFuture(planner.registrationRefused(processed));
              }
              return register(tx, account.get(), registration, payload, processed, now);
            });
  }

  private Future<Map<String, Object>> register(
      PipelinedTransaction tx,
      long accountId,
      Registration registration,
      WireMap payload,
      long nextExpectedIn,
      Instant now) {
    String secureId = Secrets.generate();
    byte[] secureIdHash = Secrets.hash(secureId);
    return ComputerStateStore.register(
            tx.connection(),
            accountId,
            registration,
            secureIdHash,
            nextExpectedIn,
            ExchangePlanner.firstOutgoing(payload),
            now)
        // its post-enrollment profiles are due: recorded with the registration, fired by a sweep
        .compose(
            computerId ->
                Enrollments.record(tx.connection(), accountId, computerId, now).map(computerId))
        .compose(
            computerId -> {
              try (var mdc = Mdc.computer(computerId)) {
                LOG.info(
                    "computer registered [id: {}, account: {}, title: {}]",
                    computerId,
                    registration.accountName(),
                    registration.title());
              }
              Bookkeeping after = ExchangePlanner.registered(computerId, nextExpectedIn, payload);
              // a computer registered in this transaction has no activities yet, so no limited
              // ones; its state is read back as an exchange reads it (its account's intervals too)
              Future<Void> queued =
                  OutgoingStore.enqueue(
                      tx.connection(), ExchangePlanner.welcome(computerId, secureId), now);
              return ComputerStateStore.lock(tx.connection(), List.of(secureIdHash))
                  .compose(
                      states ->
                          queued.compose(
                              done ->
                                  delivery.answer(
                                      tx,
                                      List.of(after),
                                      Map.of(computerId, states.values().iterator().next()),
                                      Set.of(),
                                      now)))
                  .map(answers -> answers.get(computerId));
            });
  }
}
