package dev.outpost.server.console;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.common.wire.Bytes;
import dev.outpost.common.wire.WireMap;
import dev.outpost.server.ProtocolClient;
import dev.outpost.server.ServerFixture;
import dev.outpost.server.TestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real browser: Debian's headless Chromium, driven through its chromedriver.
 * Signing in, a script run from the form followed live to its end, approving from the list, and
 * untrusted text shown as text. Each page's screenshot goes to {@code target/console-screenshots/}.
 *
 * <p>Without {@value #CHROMIUM} and {@value #CHROMEDRIVER} the class is skipped, saying so, unless
 * {@code -Doutpost.test.browser=required} (as scripts/test, which installs both, sets it).
 */
@ExtendWith(VertxExtension.class)
class ConsoleBrowserTest {

  static final String CHROMIUM = "/usr/bin/chromium";
  static final String CHROMEDRIVER = "/usr/bin/chromedriver";

  /** Untrusted text that would run script if it were ever parsed as HTML. */
  static final String HOSTILE =
      "<script>window.__xss = 1; alert(1)</script><img src=x onerror=\"window.__xss = 2;"
          + " alert(2)\"> & </pre>";

  private static final Path SHOTS = Path.of("target", "console-screenshots");

  /** Selenium's own warning that it has no DevTools classes for this Chromium: none are used. */
  private static final java.util.logging.Logger CDP_FINDER =
      java.util.logging.Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

  private static ServerFixture fx;
  private static ChromeDriver driver;
  private static WebDriverWait wait;
  private static String base;

  @BeforeAll
  static void start(Vertx vertx) throws IOException {
    boolean present = new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute();
    String required = System.getProperty("outpost.test.browser", "");
    if (!present && !required.equals("required")) {
      Assumptions.abort(
          "the console's browser tests need Debian's chromium and chromium-driver ("
              + CHROMIUM
              + ", "
              + CHROMEDRIVER
              + "); scripts/test installs them: skipped");
    }
    assertThat(present).as("chromium and chromedriver are installed").isTrue();
    Files.createDirectories(SHOTS);
    CDP_FINDER.setLevel(java.util.logging.Level.SEVERE);
    fx = new ServerFixture(vertx);
    base = "http://127.0.0.1:" + fx.server.httpPort();
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER))
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,900",
        "--lang=en-GB");
    driver = new ChromeDriver(service, options);
    // a bound on waiting for what the page shows, not a timing claim: a loaded machine's agent,
    // event log and browser together can take tens of seconds for a live change
    wait = new WebDriverWait(driver, Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() {
    if (driver != null) {
      driver.quit();
    }
    if (fx != null) {
      TestSupport.endActivities(fx.server.pool(), fx.accountId);
      fx.close();
    }
  }

  /**
   * Verifies that an administrator signs in with an email and password: a wrong password is refused
   * as the API words it, the right one opens the activities on a session cookie the page cannot
   * read, and signing out ends it.
   */
  @Test
  void signsInWithAnEmailAndPassword() {
    String email = TestSupport.unique("viewer") + "@example.com";
    assertThat(
            fx.post(
                    "/administrators",
                    new JsonObject()
                        .put("email", email)
                        .put("name", "Console viewer")
                        .put("roles", new JsonArray().add("viewer"))
                        .put("password", "correct horse battery staple"))
                .statusCode())
        .isEqualTo(201);
    driver.get(base + "/");
    driver.executeScript("sessionStorage.clear()");
    driver.manage().deleteAllCookies();
    driver.navigate().refresh();
    WebElement emailField =
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.name("email")));
    WebElement password = driver.findElement(By.name("password"));
    emailField.sendKeys(email);
    password.sendKeys("not the password");
    driver.findElement(By.cssSelector("form.signin:not(.token) button")).click();
    WebElement error =
        wait.until(
            ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("form.signin:not(.token) [role=alert]")));
    assertThat(error.getText()).isNotBlank();

    password.clear();
    password.sendKeys("correct horse battery staple");
    driver.findElement(By.cssSelector("form.signin:not(.token) button")).click();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Activities"));
    // the session cookie is HttpOnly: nothing of it reaches the page
    assertThat(driver.executeScript("return document.cookie")).isEqualTo("");
    driver.findElement(By.id("signout")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.name("email")));
  }

  /**
   * Verifies that the console signs in with a token too, shows the API's refusal of a wrong one as
   * the API words it, and opens the activities with the right one.
   */
  @Test
  void signsInWithAToken() {
    driver.get(base + "/");
    driver.executeScript("sessionStorage.clear()");
    driver.manage().deleteAllCookies();
    driver.navigate().refresh();
    WebElement token = wait.until(ExpectedConditions.visibilityOfElementLocated(By.name("token")));
    assertThat(
            driver
                .findElement(By.cssSelector("label[for='" + token.getAttribute("id") + "']"))
                .getText())
        .isEqualTo("Admin token");
    shoot("sign-in");

    token.sendKeys("not-the-token");
    driver.findElement(By.cssSelector("form.token button")).click();
    // each sign-in form has its own (hidden) alert: the token form's says why
    WebElement error =
        wait.until(
            ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("form.token [role=alert]")));
    assertThat(error.getText()).containsIgnoringCase("token");

    token.clear();
    token.sendKeys(fx.token);
    driver.findElement(By.cssSelector("form.token button")).click();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Activities"));
    assertThat(driver.findElement(By.id("nav")).isDisplayed()).isTrue();
  }

  /**
   * Verifies that a script run created through the form shows live, without a reload: queued as
   * created, in progress once its agent took it, its output as it comes, and succeeded with its
   * result; the list follows it too.
   */
  @Test
  void aScriptRunFromTheFormIsFollowedLive() {
    ProtocolClient agent = ProtocolClient.registered(fx, "console-live");
    signIn();
    open("#/run?targets=" + "id:" + agent.insecureId);
    wait.until(
        ExpectedConditions.textToBe(By.cssSelector("form.run p.count"), "1 computer matches."));
    WebElement code = driver.findElement(By.name("code"));
    code.clear();
    code.sendKeys("#!/bin/sh\necho hello from the console\n");
    driver.findElement(By.name("summary")).sendKeys("console run");
    shoot("run-a-script");
    driver.findElement(By.cssSelector("form.run button[type=submit]")).click();

    wait.until(ExpectedConditions.urlMatches("#/activity/\\d+$"));
    long id = Long.parseLong(driver.getCurrentUrl().replaceAll(".*#/activity/", ""));
    markPage();
    waitForHeadingStatus("queued");

    WireMap answer = agent.exchange(List.of());
    assertThat(
            answer.mapList("messages").stream()
                .anyMatch(m -> m.text("type").equals("execute-script")))
        .isTrue();
    waitForHeadingStatus("in-progress");
    agent.exchange(List.of(chunk(id, 0, "hello from the console\n")));
    wait.until(ExpectedConditions.textToBe(By.cssSelector("pre.output"), "hello from the console"));
    shoot("activity-running");

    agent.exchange(List.of(ProtocolClient.result(id, 6, 0, "hello from the console\n")));
    waitForHeadingStatus("succeeded");
    wait.until(ExpectedConditions.textToBe(By.cssSelector("pre.result"), "hello from the console"));
    wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("ol.timeline li"), 3));
    assertThat(pageIsTheSame()).as("the page was not reloaded").isTrue();
    shoot("activity");

    // the list follows a second run the same way
    open("#/activities");
    markPage();
    JsonObject second =
        fx.post("/activities", ProtocolClient.scriptFor(List.of(agent))).bodyAsJsonObject();
    By row = By.cssSelector("tr[data-id='" + second.getLong("id") + "'] .status");
    wait.until(ExpectedConditions.textToBe(row, "queued"));
    agent.exchange(List.of());
    wait.until(ExpectedConditions.textToBe(row, "in-progress"));
    agent.exchange(List.of(ProtocolClient.result(second.getLong("id"), 6, 0, "done")));
    wait.until(ExpectedConditions.textToBe(row, "succeeded"));
    assertThat(pageIsTheSame()).as("the page was not reloaded").isTrue();
    shoot("activities");
  }

  /**
   * Verifies that approving a blocked group from the list says how many activities it touches (its
   * children), and that they move on.
   */
  @Test
  void approvesABlockedGroupAfterSayingHowManyItTouches() {
    List<ProtocolClient> agents = ProtocolClient.registered(fx, "console-approve", 2);
    JsonObject group =
        fx.post(
                "/activities",
                ProtocolClient.scriptFor(agents)
                    .put("requires_approval", true)
                    .put("summary", "needs a yes"))
            .bodyAsJsonObject();
    long id = group.getLong("id");
    signIn();
    open("#/activities?status=blocked");
    By status = By.cssSelector("tr[data-id='" + id + "'] .status");
    wait.until(ExpectedConditions.textToBe(status, "blocked"));
    markPage();

    driver.findElement(By.cssSelector("input[aria-label='Select activity " + id + "']")).click();
    driver.findElement(By.cssSelector(".actions button[data-action=approve]")).click();
    WebElement dialog =
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("dialog[open]")));
    assertThat(dialog.findElement(By.tagName("h2")).getText()).isEqualTo("Approve 2 activities?");
    assertThat(dialog.findElement(By.tagName("p")).getText())
        .startsWith("Approve touches 2 activities: group " + id + " (2 activities).");
    shoot("confirm-approve");
    dialog.findElement(By.cssSelector("button[value=yes]")).click();

    wait.until(ExpectedConditions.textToBe(status, "queued"));
    assertThat(driver.findElement(By.cssSelector(".actions .outcome")).getText())
        .isEqualTo("Approve: 2 activities changed.");
    assertThat(
            fx
                .get("/activities?query=parent-id:" + id)
                .bodyAsJsonObject()
                .getJsonArray("results")
                .stream()
                .map(a -> ((JsonObject) a).getString("status")))
        .containsOnly("queued");
    assertThat(pageIsTheSame()).isTrue();

    open("#/activity/" + id);
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".progress .bar")));
    assertThat(driver.findElement(By.cssSelector(".progress-label")).getText())
        .isEqualTo("0 of 2 children finished: 2 queued");
    shoot("group");
  }

  /**
   * Verifies that reapplying a failed run from its page says it touches one activity, and leads to
   * the new activity.
   */
  @Test
  void reappliesAFailedRunFromItsPage() {
    ProtocolClient agent = ProtocolClient.registered(fx, "console-reapply");
    long id =
        fx.post("/activities", ProtocolClient.scriptFor(List.of(agent)))
            .bodyAsJsonObject()
            .getLong("id");
    agent.exchange(List.of());
    agent.exchange(List.of(ProtocolClient.result(id, 5, 1, "it broke")));
    signIn();
    open("#/activity/" + id);
    waitForHeadingStatus("failed");

    driver.findElement(By.cssSelector(".actions button[data-action=reapply]")).click();
    WebElement dialog =
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("dialog[open]")));
    assertThat(dialog.findElement(By.tagName("h2")).getText()).isEqualTo("Reapply 1 activity?");
    dialog.findElement(By.cssSelector("button[value=yes]")).click();

    WebElement created =
        wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector(".actions .outcome a")));
    created.click();
    wait.until(ExpectedConditions.not(ExpectedConditions.urlMatches("#/activity/" + id + "$")));
    waitForHeadingStatus("queued");
    assertThat(driver.findElements(By.xpath("//dt[text()='Reapplied from']"))).hasSize(1);
  }

  /**
   * Verifies that markup in a result text, a computer's title and a script's title shows as the
   * text it is: no script runs, no element is made, no alert opens.
   */
  @Test
  void untrustedTextShowsAsText() {
    ProtocolClient agent = ProtocolClient.registered(fx, HOSTILE);
    JsonObject created =
        fx.post("/activities", ProtocolClient.scriptFor(List.of(agent))).bodyAsJsonObject();
    long id = created.getLong("id");
    agent.exchange(List.of());
    agent.exchange(List.of(ProtocolClient.result(id, 5, 1, HOSTILE)));
    JsonObject script =
        fx.post("/scripts", new JsonObject().put("title", HOSTILE).put("code", "echo hi"))
            .bodyAsJsonObject();
    assertThat(script.getLong("id")).isNotNull();
    await(
        fx.api(io.vertx.core.http.HttpMethod.PATCH, "/computers/" + agent.insecureId)
            .sendJsonObject(new JsonObject().put("tags", new JsonArray().add("web"))));

    signIn();
    open("#/activity/" + id);
    wait.until(ExpectedConditions.textToBe(By.cssSelector("h1 .status"), "failed"));
    assertThat(driver.findElement(By.cssSelector("pre.result")).getText()).isEqualTo(HOSTILE);
    noScriptRan();

    open("#/computers?query=" + "id:" + agent.insecureId);
    wait.until(ExpectedConditions.textToBe(By.cssSelector("p.count"), "1 computer matches."));
    assertThat(driver.findElement(By.cssSelector("tr[data-id] td.text")).getText())
        .isEqualTo(HOSTILE);
    noScriptRan();
    shoot("computers-hostile");

    open("#/scripts");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("table.list")));
    assertThat(driver.findElements(By.linkText(HOSTILE))).isNotEmpty();
    noScriptRan();
    open("#/scripts/" + script.getLong("id"));
    // the heading says "Script N" until the script is read, then its title after it
    wait.until(page -> page.findElement(By.tagName("h1")).getText().endsWith(HOSTILE));
    noScriptRan();
  }

  /**
   * Verifies that every page opens without an error and is written as a screenshot, and that the
   * first page with everything it loads is at most 200 KB over the wire.
   */
  @Test
  void everyPageOpensAndTheFirstIsSmall(Vertx vertx) {
    ProtocolClient agent = ProtocolClient.registered(fx, "console-pages");
    await(
        fx.api(io.vertx.core.http.HttpMethod.PATCH, "/computers/" + agent.insecureId)
            .sendJsonObject(new JsonObject().put("tags", new JsonArray().add("web").add("eu"))));
    JsonObject script =
        fx.post(
                "/scripts",
                new JsonObject()
                    .put("title", "disk report")
                    .put("code", "#!/bin/bash\ndf -h")
                    .put("time_limit", 60))
            .bodyAsJsonObject();
    fx.post(
        "/script-profiles",
        new JsonObject()
            .put("title", "nightly disks")
            .put("script_id", script.getLong("id"))
            .put("tags", new JsonArray().add("web"))
            .put(
                "trigger",
                new JsonObject()
                    .put("trigger_type", "recurring")
                    .put("interval", "0 3 * * *")
                    .put("timezone", "Europe/Paris")));
    signIn();

    driver.navigate().refresh();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Activities"));
    Number transferred =
        (Number)
            driver.executeScript(
                "return performance.getEntriesByType('navigation')"
                    + ".concat(performance.getEntriesByType('resource'))"
                    + ".filter(e => !e.name.includes('/api/'))"
                    + ".reduce((sum, e) => sum + e.transferSize, 0)");
    assertThat(transferred.longValue()).isPositive().isLessThanOrEqualTo(200 * 1024);

    WebSocketClient sockets = vertx.createWebSocketClient();
    await(
        sockets.connect(
            new WebSocketConnectOptions()
                .setHost("127.0.0.1")
                .setPort(fx.server.httpPort())
                .setURI("/message-system/channel")
                .putHeader("X-Computer-ID", agent.secureId)));
    TestSupport.eventually(10, () -> fx.server.channels().holds(agent.insecureId));
    open("#/computers");
    wait.until(
        ExpectedConditions.textToBe(
            By.cssSelector("tr[data-id='" + agent.insecureId + "'] .online"), "online"));
    shoot("computers");
    await(sockets.close());
    open("#/scripts");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("table.list")));
    shoot("scripts");
    open("#/scripts/" + script.getLong("id"));
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("pre.code")));
    shoot("script");
    open("#/profiles");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("table.list")));
    shoot("profiles");
    open("#/run?script=" + script.getLong("id"));
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("form.run")));

    open("#/activities?query=" + "status:bogus");
    WebElement error =
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[role=alert]")));
    assertThat(error.getText()).contains("bogus");
    shoot("query-error");
  }

  /** Signs in as the console does, with the fixture's token, and opens the console. */
  private static void signIn() {
    driver.get(base + "/");
    Object signed =
        driver.executeAsyncScript(
            "const done = arguments[arguments.length - 1];"
                + " import('/console/api.js').then(api => api.signIn(arguments[0]))"
                + ".then(() => done('ok'), e => done(String(e)))",
            fx.token);
    assertThat(signed).isEqualTo("ok");
    driver.navigate().refresh();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("nav")));
  }

  /** Goes to a page by its hash, and waits until the page before it is gone. */
  private static void open(String hash) {
    driver.executeScript(
        "const old = document.createElement('span');"
            + " old.id = 'page-before'; document.getElementById('main').append(old);"
            + " location.hash = arguments[0]",
        hash);
    wait.until(ExpectedConditions.numberOfElementsToBe(By.id("page-before"), 0));
    wait.until(
        driver -> ((JavascriptExecutor) driver).executeScript("return location.hash").equals(hash));
  }

  /** Marks the page's window: a reload would lose the mark. */
  private static void markPage() {
    driver.executeScript("window.__kept = true");
  }

  private static boolean pageIsTheSame() {
    return Boolean.TRUE.equals(driver.executeScript("return window.__kept === true"));
  }

  private static void waitForHeadingStatus(String status) {
    wait.until(ExpectedConditions.textToBe(By.cssSelector("h1 .status"), status));
  }

  private static void noScriptRan() {
    assertThat(driver.executeScript("return window.__xss === undefined")).isEqualTo(true);
    assertThat(driver.findElements(By.cssSelector("main img, main script"))).isEmpty();
    assertThatThrownBy(() -> driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
  }

  /** Writes the whole page (up to 3,000 pixels high) as a screenshot. */
  private static void shoot(String name) {
    Dimension window = driver.manage().window().getSize();
    long height =
        ((Number) driver.executeScript("return document.documentElement.scrollHeight")).longValue();
    driver
        .manage()
        .window()
        .setSize(
            new Dimension(window.getWidth(), (int) Math.min(3_000, Math.max(height + 140, 900))));
    try {
      Files.write(SHOTS.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } finally {
      driver.manage().window().setSize(window);
    }
  }

  private static Map<String, Object> chunk(long id, long offset, String text) {
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("type", "operation-output");
    message.put("api", Bytes.of("3.2"));
    message.put("timestamp", 0L);
    message.put("operation-id", id);
    message.put("offset", offset);
    message.put("text", text);
    return message;
  }
}
