package dev.ferry.node;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import java.util.Map;
import java.util.regex.Pattern;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md's arrows, checked on the classes themselves (the Maven enforcer checks the module
 * dependencies): capture, transport and apply depend on the journal and never on each other or on
 * the node; apply code outside its dialect packages names no database (no PostgreSQL or SQLite
 * dialect part, no driver class); node code names no source kind's capture outside the source spec
 * (whose kinds answer what commands ask), the configuration that makes and describes it, the
 * demo that builds its own databases, and initial sync (one path per source kind); the journal
 * depends on the JDK, slf4j and zstd only, and inside it the model ({@code journal.model}) on
 * neither the segment engine ({@code journal}) nor the codecs ({@code journal.codec}), the codecs
 * on the model and the JDK only (never on the engine), and no other module on the codecs (they read
 * and write the journal through the engine); ferry-sql (the error classifiers capture and
 * apply share) on the JDK only.
 */
class ModuleArrowsTest {

  static ArchRule arrows(String root) {
    String capture = root + ".capture..";
    String transport = root + ".transport..";
    String apply = root + ".apply..";
    String node = root + ".node..";
    String journal = root + ".journal..";
    String sql = root + ".sql..";
    String engine = root + ".journal";
    String model = root + ".journal.model..";
    String codec = root + ".journal.codec..";
    return CompositeArchRule.of(
            noClasses().that().resideInAPackage(capture).should().dependOnClassesThat()
                .resideInAnyPackage(transport, apply, node))
        .and(noClasses().that().resideInAPackage(transport).should().dependOnClassesThat()
            .resideInAnyPackage(capture, apply, node))
        .and(noClasses().that().resideInAPackage(apply).should().dependOnClassesThat()
            .resideInAnyPackage(capture, transport, node))
        .and(noClasses().that().resideInAPackage(apply).and().resideOutsideOfPackage(root + ".apply.dialect..")
            .should().dependOnClassesThat().resideInAnyPackage(root + ".apply.dialect.postgres..",
                root + ".apply.dialect.sqlite..", "org.postgresql..", "org.sqlite.."))
        .and(noClasses().that().resideInAPackage(node).and().resideOutsideOfPackages(root + ".node.sync..",
                root + ".node.config..")
            .and().haveNameNotMatching(Pattern.quote(root) + "\\.node\\.(run\\.SourceSpec|cli\\.DemoCommand)(\\$.*)?")
            .should().dependOnClassesThat().resideInAnyPackage(root + ".capture.postgres..", root + ".capture.trigger..",
                root + ".capture.binlog..")
            .orShould().dependOnClassesThat().implement(root + ".node.run.SourceSpec"))
        .and(classes().that().resideInAPackage(journal).should().onlyDependOnClassesThat()
            .resideInAnyPackage(journal, "java..", "javax..", "org.slf4j..", "com.github.luben.zstd..", ""))
        .and(noClasses().that().resideInAPackage(model).should().dependOnClassesThat()
            .resideInAnyPackage(engine, codec))
        .and(classes().that().resideInAPackage(codec).should().onlyDependOnClassesThat()
            .resideInAnyPackage(codec, model, "java..", "com.github.luben.zstd..", ""))
        .and(noClasses().that().resideOutsideOfPackage(journal).should().dependOnClassesThat()
            .resideInAPackage(codec))
        .and(classes().that().resideInAPackage(sql).should().onlyDependOnClassesThat()
            .resideInAnyPackage(sql, "java..", ""))
        .allowEmptyShould(true);
  }

  /**
   * Every module's production classes, from its {@code target/classes} in a reactor build or its
   * jar otherwise; the counts make sure the rules never pass on an empty or partial import.
   */
  @Test
  void productionCodeKeepsTheArrows() {
    JavaClasses ferry = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.ferry");
    Map<String, Integer> atLeast = Map.of(
        "dev.ferry.journal", 40, "dev.ferry.journal.model", 10, "dev.ferry.journal.codec", 5,
        "dev.ferry.journal.snapshot", 10,
        "dev.ferry.capture", 30, "dev.ferry.apply", 50, "dev.ferry.node", 50, "dev.ferry.testkit", 5,
        "dev.ferry.sql", 5, "dev.ferry.transport", 5);
    atLeast.forEach((pkg, min) -> assertThat(ferry.stream()
            .filter(c -> c.getPackageName().equals(pkg) || c.getPackageName().startsWith(pkg + ".")))
        .as("production classes imported from " + pkg)
        .hasSizeGreaterThanOrEqualTo(min));
    assertThat(ferry.stream().filter(c -> c.getPackageName().startsWith("dev.ferry.archfixture")))
        .as("test fixtures are not production code").isEmpty();
    arrows("dev.ferry").check(ferry);
  }

  @Test
  void theRuleCatchesCaptureDependingOnApply() {
    assertTheRulesCatch("dev.ferry.archfixture.capture.CaptureThatAppliesDirectly",
        "dev.ferry.archfixture.apply.Applier");
  }

  @Test
  void theRuleCatchesSqlDependingOnAnotherModule() {
    assertTheRulesCatch("dev.ferry.archfixture.sql.ClassifierThatApplies");
  }

  @Test
  void theRuleCatchesANodeCommandAskingOneSourceKind() {
    assertTheRulesCatch("dev.ferry.archfixture.node.cli.StatusThatAsksPostgres",
        "dev.ferry.archfixture.capture.postgres.PostgresSlot");
  }

  @Test
  void theRuleCatchesApplyCodeNamingADatabaseOutsideItsDialects() {
    assertTheRulesCatch("dev.ferry.archfixture.apply.WriterThatAsksPostgres",
        "dev.ferry.archfixture.apply.dialect.postgres.PostgresPart");
  }

  @Test
  void theRuleCatchesTheModelDependingOnACodec() {
    assertTheRulesCatch("dev.ferry.archfixture.journal.model.ValueThatEncodesItself",
        "dev.ferry.archfixture.journal.codec.Payloads");
  }

  @Test
  void theRuleCatchesAnotherModuleDecodingRecordsItself() {
    assertTheRulesCatch("dev.ferry.archfixture.apply.ReaderThatDecodesRecords");
  }

  @Test
  void theRuleCatchesACodecDependingOnTheSegmentEngine() {
    assertTheRulesCatch("dev.ferry.archfixture.journal.codec.CodecThatAsksTheEngine",
        "dev.ferry.archfixture.journal.Segments");
  }

  /** Checks the rules over the fixtures and expects them to fail naming each of {@code classes}. */
  private static void assertTheRulesCatch(String... classes) {
    JavaClasses fixture = new ClassFileImporter().importPackages("dev.ferry.archfixture");
    AbstractThrowableAssert<?, ? extends Throwable> failure =
        assertThatThrownBy(() -> arrows("dev.ferry.archfixture").check(fixture)).isInstanceOf(AssertionError.class);
    for (String name : classes) {
      failure.hasMessageContaining(name);
    }
  }
}
