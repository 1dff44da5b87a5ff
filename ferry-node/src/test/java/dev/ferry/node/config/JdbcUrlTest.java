package dev.ferry.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JdbcUrlTest {
  private static final Path CWD = Path.of("/work");

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "jdbc:postgresql://h/db?user=u&password=pw|jdbc:postgresql://h/db?user=u&password=****",
      "jdbc:postgresql://h/db?PASSWORD=pw&ssl=true|jdbc:postgresql://h/db?PASSWORD=****&ssl=true",
      "jdbc:postgresql://h/db?sslpassword=pw|jdbc:postgresql://h/db?sslpassword=****",
      "jdbc:postgresql://u:p@ss@h:5/db|jdbc:postgresql://u:****@h:5/db",
      "jdbc:postgresql://h/db?user=u|jdbc:postgresql://h/db?user=u"})
  void redactsPasswordsInUrls(String url, String redacted) {
    JdbcUrl parsed = JdbcUrl.parse(url);

    assertThat(parsed.toString()).isEqualTo(redacted);
    assertThat(parsed.value()).isEqualTo(url);
  }

  @Test
  void refusesOtherDatabases() {
    assertThatThrownBy(() -> JdbcUrl.parse("jdbc:mysql://h/db")).hasMessageContaining("jdbc:postgresql:, jdbc:sqlite: or jdbc:mariadb:");
    assertThatThrownBy(() -> JdbcUrl.parse("jdbc:sqlite:")).hasMessageContaining("names no database");
  }

  @Test
  void mariaDbUrlsNameTheSameDatabaseByHostPortAndDatabaseAndHideTheirPasswords() {
    JdbcUrl url = JdbcUrl.parse("jdbc:mariadb://DB/app?user=a&password=pw");
    assertThat(url.kind()).isEqualTo(JdbcUrl.Kind.MARIADB);
    assertThat(url.toString()).isEqualTo("jdbc:mariadb://DB/app?user=a&password=****");
    assertThat(url.sameDatabaseAs(JdbcUrl.parse("jdbc:mariadb://db:3306/app?user=b"), CWD)).isTrue();
    assertThat(url.sameDatabaseAs(JdbcUrl.parse("jdbc:mariadb://db:3307/app"), CWD)).isFalse();
    assertThat(url.sameDatabaseAs(JdbcUrl.parse("jdbc:mariadb://db/other"), CWD)).isFalse();
  }

  @Test
  void sameDatabaseIgnoresCredentialsCaseOfHostAndDefaultPort() {
    assertThat(JdbcUrl.parse("jdbc:postgresql://DB/app?user=a").sameDatabaseAs(
        JdbcUrl.parse("jdbc:postgresql://db:5432/app?user=b&password=x"), CWD)).isTrue();
    assertThat(JdbcUrl.parse("jdbc:postgresql://db/app").sameDatabaseAs(
        JdbcUrl.parse("jdbc:postgresql://db:5433/app"), CWD)).isFalse();
    assertThat(JdbcUrl.parse("jdbc:postgresql://db/app").sameDatabaseAs(
        JdbcUrl.parse("jdbc:postgresql://db/other"), CWD)).isFalse();
  }

  @Test
  void sameSqliteFileWhateverTheSpelling() {
    assertThat(JdbcUrl.parse("jdbc:sqlite:/work/./a.db").sameDatabaseAs(JdbcUrl.parse("jdbc:sqlite:a.db"), CWD))
        .isTrue();
    assertThat(JdbcUrl.parse("jdbc:sqlite:file:/work/a.db?mode=ro").sameDatabaseAs(
        JdbcUrl.parse("jdbc:sqlite:/work/a.db"), CWD)).isTrue();
    assertThat(JdbcUrl.parse("jdbc:sqlite:/work/a.db").sameDatabaseAs(JdbcUrl.parse("jdbc:sqlite:/work/b.db"), CWD))
        .isFalse();
  }
}
