package dev.outpost.server.log;

import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.script;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.outpost.common.log.ContextMdc;
import dev.outpost.server.ProtocolClient;
import dev.outpost.server.ServerFixture;
import dev.outpost.server.TestSupport;
import dev.outpost.server.http.RequestIds;
import dev.outpost.server.jobs.JobHandler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The MDC in every line where it applies: the request's id in the asynchronous continuations of an
 * HTTP handler, the computer's id on the exchange's lines, the activity's id on a job's; in text
 * and JSON alike. Lines are captured as logged, through the test's logback configuration, which has
 * {@link ContextMdc} as the server's has.
 */
@ExtendWith(VertxExtension.class)
class ContextMdcTest {

  private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(ContextMdcTest.class);

  private final Captured captured = new Captured();
  private Logger root;

  @BeforeEach
  void capture() {
    root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    captured.setContext(root.getLoggerContext());
    captured.start();
    root.addAppender(captured);
  }

  @AfterEach
  void release() {
    root.detachAppender(captured);
    captured.stop();
  }

  /**
   * Verifies that a line logged after a database call in an HTTP handler carries its request's id.
   * GIVEN a router with the request ids mounted and a handler that logs once the database has
   * answered, WHEN requests with their own ids run side by side on one event loop, THEN each
   * request's line carries its own id and no other, in the text pattern and in the JSON encoder,
   * and a line logged after them off any request carries none.
   */
  @Test
  void aLineAfterADatabaseCallCarriesItsRequestsId(Vertx vertx) {
    try (ServerFixture fx = new ServerFixture(vertx)) {
      Router router = Router.router(vertx);
      RequestIds.mount(router);
      router
          .get("/slow/:n")
          .handler(
              ctx ->
                  fx.server
                      .pool()
                      .query("SELECT pg_sleep(0.05)")
                      .execute()
                      .onComplete(
                          done -> {
                            LOG.warn("answered after the database [n: {}]", ctx.pathParam("n"));
                            ctx.response().end();
                          }));
      HttpServer server = await(vertx.createHttpServer().requestHandler(router).listen(0));
      WebClient http = WebClient.create(vertx);
      try {
        List<Future<?>> sent = new ArrayList<>();
        for (int n = 0; n < 4; n++) {
          sent.add(
              http.get(server.actualPort(), "127.0.0.1", "/slow/" + n)
                  .putHeader(RequestIds.HEADER, "req-" + n)
                  .send());
        }
        await(Future.all(sent));
        LOG.warn("not about a request");
      } finally {
        http.close();
        await(server.close());
      }

      List<ILoggingEvent> answered = captured.containing("answered after the database");
      assertThat(answered).hasSize(4);
      for (ILoggingEvent event : answered) {
        String n = event.getArgumentArray()[0].toString();
        assertThat(event.getMDCPropertyMap()).containsEntry(Mdc.REQUEST, "req-" + n);
        assertThat(text(event)).endsWith("[request_id=req-" + n + "]");
        assertThat(json(event).getJsonObject("mdc").getString(Mdc.REQUEST)).isEqualTo("req-" + n);
      }
      assertThat(captured.containing("not about a request").get(0).getMDCPropertyMap())
          .doesNotContainKey(Mdc.REQUEST);
      assertThat(MDC.get(Mdc.REQUEST)).isNull();
    }
  }

  /**
   * Verifies that an exchange's warning about a computer carries its id. GIVEN two agents and an
   * activity of the first, WHEN the second sends a result for it, THEN the warning that refuses it
   * (written after the database answered) carries the second computer's id.
   */
  @Test
  void anExchangeWarningCarriesTheComputersId(Vertx vertx) {
    try (ServerFixture fx = new ServerFixture(vertx)) {
      ProtocolClient owner = ProtocolClient.registered(fx, "owner");
      ProtocolClient stranger = ProtocolClient.registered(fx, "stranger");
      long id = fx.post("/activities", script(owner.insecureId)).bodyAsJsonObject().getLong("id");

      stranger.exchange(List.of(ProtocolClient.result(id, 6, 0, "not mine")));

      List<ILoggingEvent> refused = captured.containing("result refused");
      assertThat(refused).isNotEmpty();
      assertThat(refused.get(0).getMDCPropertyMap())
          .containsEntry(Mdc.COMPUTER, Long.toString(stranger.insecureId));
      assertThat(text(refused.get(0))).contains("computer_id=" + stranger.insecureId);
      TestSupport.endActivities(fx.server.pool(), fx.accountId);
    }
  }

  /**
   * Verifies that a job's lines carry its activity's id. GIVEN a handler that logs as it starts, on
   * a worker thread, and again after a timer, WHEN its server activity runs, THEN both lines carry
   * the activity's id, in text and JSON.
   */
  @Test
  void aJobsLinesCarryItsActivitysId(Vertx vertx) {
    JobHandler handler =
        context -> {
          LOG.warn("job handler runs");
          return context
              .vertx()
              .timer(10)
              .map(
                  fired -> {
                    LOG.warn("job handler continues");
                    return "done";
                  });
        };
    try (ServerFixture fx = new ServerFixture(vertx, Map.of(), Map.of("ArchiveRequest", handler))) {
      long id =
          fx.post(
                  "/activities",
                  new JsonObject()
                      .put("type", "ArchiveRequest")
                      .put("parameters", new JsonObject().put("older_than_days", 3650)))
              .bodyAsJsonObject()
              .getLong("id");
      for (int tries = 0;
          tries < 120 && !TestSupport.status(fx.server.pool(), id).equals("succeeded");
          tries++) {
        await(vertx.timer(250));
      }

      assertThat(TestSupport.status(fx.server.pool(), id)).isEqualTo("succeeded");
      for (String line : List.of("job handler runs", "job handler continues")) {
        ILoggingEvent event = captured.containing(line).get(0);
        assertThat(event.getMDCPropertyMap()).containsEntry(Mdc.ACTIVITY, Long.toString(id));
        assertThat(text(event)).contains("activity_id=" + id);
        assertThat(json(event).getJsonObject("mdc").getString(Mdc.ACTIVITY))
            .isEqualTo(Long.toString(id));
      }
    }
  }

  /**
   * Verifies that a value set around a call wins over the context's, also one equal to what the
   * context put for the previous line, and that what the context put does not linger on the thread
   * once the context has none.
   */
  @Test
  void aValueSetAroundACallWinsAndNoneLingers() {
    ContextMdc.sync(Map.of(Mdc.COMPUTER, "1"));
    assertThat(MDC.get(Mdc.COMPUTER)).isEqualTo("1");
    try (var mdc = Mdc.computer(2)) {
      ContextMdc.sync(Map.of(Mdc.COMPUTER, "1"));
      assertThat(MDC.get(Mdc.COMPUTER)).isEqualTo("2");
    }
    ContextMdc.sync(Map.of());
    assertThat(MDC.get(Mdc.COMPUTER)).isNull();

    // code sets the very value the previous line's context had: it is the code's, and stays
    ContextMdc.sync(Map.of(Mdc.COMPUTER, "1"));
    try (var mdc = Mdc.computer(1)) {
      ContextMdc.sync(Map.of());
      assertThat(MDC.get(Mdc.COMPUTER)).isEqualTo("1");
    }
    assertThat(MDC.get(Mdc.COMPUTER)).isNull();
  }

  private static String text(ILoggingEvent event) {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
    // the server's pattern (logback-text.xml) without its date
    encoder.setPattern("%-5level %logger{20} - %msg%replace( [%mdc]){' \\[\\]', ''}");
    encoder.start();
    return new String(encoder.encode(event), StandardCharsets.UTF_8);
  }

  private static JsonObject json(ILoggingEvent event) {
    JsonEncoder encoder = new JsonEncoder();
    encoder.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
    encoder.start();
    return new JsonObject(new String(encoder.encode(event), StandardCharsets.UTF_8).strip());
  }

  /** Keeps the lines logged, with their MDC taken as they were logged. */
  private static final class Captured extends ListAppender<ILoggingEvent> {

    @Override
    protected void append(ILoggingEvent event) {
      event.prepareForDeferredProcessing();
      synchronized (this) {
        super.append(event);
      }
    }

    synchronized List<ILoggingEvent> containing(String text) {
      return list.stream().filter(e -> e.getFormattedMessage().contains(text)).toList();
    }
  }
}
