package dev.outpost.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The command line is a client of the HTTP API only: none of the server's or agent's code. */
class CliArchitectureTest {

  /** Verifies that the command line's classes use no Outpost code but their own, nor Vert.x. */
  @Test
  void theCommandLineSpeaksOnlyHttp() {
    JavaClasses cli =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.outpost.cli");
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.outpost.server..", "dev.outpost.common..", "dev.outpost.agent..", "io.vertx..")
        .check(cli);
  }
}
