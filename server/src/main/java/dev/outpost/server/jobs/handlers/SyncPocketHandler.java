package dev.outpost.server.jobs.handlers;

import dev.outpost.server.ServerConfig.FetchConfig;
import dev.outpost.server.jobs.JobCanceledException;
import dev.outpost.server.jobs.JobContext;
import dev.outpost.server.jobs.JobHandler;
import dev.outpost.server.net.OutboundAddresses;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import java.io.IOException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SyncPocketRequest: mirrors a package repository pocket into the account's storage ({@code
 * <home>/storage/pockets/<account>/<pocket>/}), reporting progress as it goes.
 *
 * <p>The source is an http(s) URL of a flat repository (its {@code Packages} index, then every
 * {@code Filename:} it names) or a local directory under the operator's pocket roots, copied whole.
 * Requests go only to addresses the outbound rule allows; the sync is held to byte, file and time
 * caps; a cancel or a timeout stops it where it is. It writes into a staging directory that takes
 * the pocket's place only once complete, and is deleted otherwise.
 */
public final class SyncPocketHandler implements JobHandler {

  private static final Logger LOG = LoggerFactory.getLogger(SyncPocketHandler.class);
  private static final Pattern POCKET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** How often an http sync looks for a cancel or its deadline, to stop the transfer under way. */
  private static final long WATCH_MS = 200;

  private final FetchConfig limits;
  private final OutboundAddresses addresses;

  /** A handler held to the given sources, addresses and caps. */
  public SyncPocketHandler(FetchConfig limits) {
    this.limits = limits;
    this.addresses = new OutboundAddresses(limits.allowedPrivate());
  }

  @Override
  public Future<String> run(JobContext context) {
    String text = context.job().parameters().getString("source_url");
    String pocket = context.job().parameters().getString("pocket");
    if (!POCKET.matcher(pocket).matches()) {
      throw new IllegalArgumentException(
          "pocket name '" + pocket + "' must be letters, digits, '.', '_' or '-'");
    }
    PocketRoots roots = PocketRoots.of(limits.pocketRoots());
    PocketSource source = PocketSource.parse(text, roots);
    PocketPlace place;
    try {
      place =
          PocketPlace.prepare(
              context.storage(), context.job().accountId(), context.job().activityId(), pocket);
    } catch (IOException e) {
      throw failure(pocket, e);
    }
    PocketBudget budget = new PocketBudget(context, limits);
    if (source instanceof PocketSource.Http http) {
      return mirrorHttp(context, http, place, budget, pocket);
    }
    try {
      new DirectoryMirror(context, roots, budget)
          .copy(((PocketSource.Local) source).directory(), place.staging());
      place.publish();
    } catch (Exception e) {
      discard(place, pocket);
      throw failure(pocket, e);
    }
    return finished(context, budget, pocket);
  }

  private Future<String> mirrorHttp(
      JobContext context,
      PocketSource.Http source,
      PocketPlace place,
      PocketBudget budget,
      String pocket) {
    HttpClient client =
        context
            .vertx()
            .createHttpClient(
                new HttpClientOptions()
                    .setConnectTimeout((int) limits.connectTimeout().toMillis()));
    HttpMirror mirror = new HttpMirror(context, client, addresses, limits, budget);
    long watch =
        context.vertx().setPeriodic(WATCH_MS, tick -> budget.stopReason().ifPresent(mirror::abort));
    return mirror
        .mirror(source.url(), place.staging())
        .eventually(
            () -> {
              context.vertx().cancelTimer(watch);
              return client.close();
            })
        .compose(
            mirrored ->
                context
                    .vertx()
                    .executeBlocking(
                        () -> {
                          place.publish();
                          return null;
                        },
                        false))
        .recover(
            e ->
                context
                    .vertx()
                    .executeBlocking(() -> discard(place, pocket), false)
                    .transform(discarded -> Future.failedFuture(failure(pocket, e))))
        .compose(published -> finished(context, budget, pocket));
  }

  private static Future<String> finished(JobContext context, PocketBudget budget, String pocket) {
    return context
        .progress(100)
        .transform(
            reported ->
                Future.succeededFuture(
                    "mirrored "
                        + budget.files()
                        + " files ("
                        + budget.bytes()
                        + " bytes) into pocket '"
                        + pocket
                        + "'"));
  }

  private static Void discard(PocketPlace place, String pocket) {
    try {
      place.discard();
    } catch (IOException e) {
      LOG.warn("staged pocket not deleted [pocket: {}, cause: {}]", pocket, e.toString());
    }
    return null;
  }

  /**
   * The failure as the activity shows it: the sync's own reasons as they are, anything else by its
   * kind alone, since file-system errors name the server's paths (the log keeps them).
   */
  private static RuntimeException failure(String pocket, Throwable e) {
    if (e instanceof PocketFailure
        || e instanceof OutboundAddresses.Refused
        || e instanceof JobCanceledException) {
      return (RuntimeException) e;
    }
    LOG.warn("pocket sync failed [pocket: {}, cause: {}]", pocket, e.toString());
    return new PocketFailure(
        "pocket '" + pocket + "' could not be written (" + e.getClass().getSimpleName() + ")");
  }
}
