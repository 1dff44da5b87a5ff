package dev.ferry.node;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md's arrows, checked on the classes themselves (the Maven enforcer checks the module
 * dependencies): capture, transport and apply depend on the journal and never on each other or on
 * the node; the journal depends on the JDK, slf4j and zstd only.
 */
class ModuleArrowsTest {

  static ArchRule arrows(String root) {
    String capture = root + ".capture..";
    String transport = root + ".transport..";
    String apply = root + ".apply..";
    String node = root + ".node..";
    String journal = root + ".journal..";
    return CompositeArchRule.of(
            noClasses().that().resideInAPackage(capture).should().dependOnClassesThat()
                .resideInAnyPackage(transport, apply, node))
        .and(noClasses().that().resideInAPackage(transport).should().dependOnClassesThat()
            .resideInAnyPackage(capture, apply, node))
        .and(noClasses().that().resideInAPackage(apply).should().dependOnClassesThat()
            .resideInAnyPackage(capture, transport, node))
        .and(classes().that().resideInAPackage(journal).should().onlyDependOnClassesThat()
            .resideInAnyPackage(journal, "java..", "javax..", "org.slf4j..", "com.github.luben.zstd..", ""))
        .allowEmptyShould(true);
  }

  @Test
  void productionCodeKeepsTheArrows() {
    JavaClasses ferry = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
        .importPackages("dev.ferry");
    arrows("dev.ferry").check(ferry);
  }

  @Test
  void theRuleCatchesCaptureDependingOnApply() {
    JavaClasses fixture = new ClassFileImporter().importPackages("dev.ferry.archfixture");
    assertThatThrownBy(() -> arrows("dev.ferry.archfixture").check(fixture))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("dev.ferry.archfixture.capture.CaptureThatAppliesDirectly")
        .hasMessageContaining("dev.ferry.archfixture.apply.Applier");
  }
}
