package dev.outpost.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * The server's layering, kept by rules rather than by comments: the fronts (the admin API, the
 * exchange's routes) over services over stores; handlers over stores; no cycle between packages.
 */
@AnalyzeClasses(
    packages = "dev.outpost.server",
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  /** Verifies that no two packages of the server depend on each other, however indirectly. */
  @ArchTest
  static final ArchRule packagesAreFreeOfCycles =
      slices().matching("dev.outpost.server.(*)..").should().beFreeOfCycles();

  /** Verifies that the admin API runs no SQL: it asks services and stores. */
  @ArchTest
  static final ArchRule theApiRunsNoSql =
      noClasses()
          .that()
          .resideInAPackage("dev.outpost.server.api..")
          .should()
          .dependOnClassesThat()
          .areAssignableTo(SqlClient.class)
          .orShould()
          .dependOnClassesThat()
          .areAssignableTo(Tuple.class)
          .because("the API asks services and stores, which own the SQL");

  /** Verifies that server activities' handlers get stores, never the pool. */
  @ArchTest
  static final ArchRule handlersRunNoSql =
      noClasses()
          .that()
          .resideInAPackage("dev.outpost.server.jobs.handlers..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.vertx.sqlclient..", "io.vertx.pgclient..")
          .because("a handler works through the stores its constructor is given");

  /** Verifies that services and stores know nothing of the fronts and runners above them. */
  @ArchTest
  static final ArchRule storesKnowNoFront =
      noClasses()
          .that()
          .resideInAnyPackage(
              "dev.outpost.server.activity..",
              "dev.outpost.server.account..",
              "dev.outpost.server.computer..",
              "dev.outpost.server.db..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.outpost.server.api..",
              "dev.outpost.server.exchange..",
              "dev.outpost.server.jobs..",
              "dev.outpost.server.scheduler..",
              "dev.outpost.server.http..");

  /**
   * Verifies that the health probes and the backlog's gauges only look: they know none of the parts
   * they report on beyond what the pool and the status names tell.
   */
  @ArchTest
  static final ArchRule healthOnlyLooks =
      noClasses()
          .that()
          .resideInAPackage("dev.outpost.server.health..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.outpost.server.api..",
              "dev.outpost.server.exchange..",
              "dev.outpost.server.jobs..",
              "dev.outpost.server.scheduler..",
              "dev.outpost.server.account..",
              "dev.outpost.server.computer..");

  /**
   * Verifies that certificates and listeners stand alone: the HTTP front and the start-up use them,
   * they use nothing of the server.
   */
  @ArchTest
  static final ArchRule tlsStandsAlone =
      noClasses()
          .that()
          .resideInAPackage("dev.outpost.server.tls..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.outpost.server",
              "dev.outpost.server.account..",
              "dev.outpost.server.activity..",
              "dev.outpost.server.api..",
              "dev.outpost.server.exchange..",
              "dev.outpost.server.http..",
              "dev.outpost.server.db..");

  /** Verifies that the web console only serves files: it reads no store and sees no token. */
  @ArchTest
  static final ArchRule theConsoleServesFilesOnly =
      noClasses()
          .that()
          .resideInAPackage("dev.outpost.server.console..")
          .should()
          .dependOnClassesThat(
              JavaClass.Predicates.resideInAPackage("dev.outpost.server..")
                  .and(
                      DescribedPredicate.not(
                          JavaClass.Predicates.resideInAPackage("dev.outpost.server.console.."))))
          .because("the console's pages ask the admin API, like any other client");
}
