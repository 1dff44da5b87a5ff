package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures of the environment a user meets first (a replica that is down, a wrong password, a
 * directory Ferry may not write, a replica database that does not exist): each is one line on
 * standard error naming the thing and what to do, exit code 1, no stack trace unless --verbose.
 */
@Timeout(300)
class ErrorMessagesTest {
  @RegisterExtension static final AppSource source = new AppSource("CREATE TABLE t (id int PRIMARY KEY)",
      "CREATE ROLE app LOGIN REPLICATION SUPERUSER PASSWORD 'right'");

  @TempDir Path dir;

  @BeforeAll
  static void askAppForItsPassword() throws Exception {
    // Trust for everyone but the role app, which must give its password.
    Path hba = source.cluster().directory().resolve("data/pg_hba.conf");
    Files.writeString(hba, "host all app 127.0.0.1/32 scram-sha-256\n" + Files.readString(hba));
    Sql.execute(source.cluster().jdbcUrl(), "SELECT pg_reload_conf()");
  }

  @Test
  void anUnreachableReplicaIsOneLineNamingItAndWhatToDo() throws Exception {
    Path config = config(source.url(), dir.resolve("j"),
        "jdbc:postgresql://127.0.0.1:1/app?user=postgres&connectTimeout=5");

    FerryCli.Result r = cli().run(Duration.ofSeconds(120), "setup", "-c", config.toString());

    assertThat(r.exitCode()).isEqualTo(1);
    assertOneErrorLine(r, "ferry setup:").contains("replica r1").contains("127.0.0.1:1")
        .contains("check that the database server is running");
    assertThat(cli().run(Duration.ofSeconds(120), "setup", "-v", "-c", config.toString()).stderr())
        .as("--verbose adds the stack trace").contains("\tat ");
  }

  @Test
  void aWrongPasswordIsOneLineNamingTheUserAndTheSetting() throws Exception {
    String wrong = source.url().replace("user=postgres", "user=app&password=wrong");
    assertThat(wrong).as("source url %s", source.url()).contains("password=wrong");
    Path config = config(wrong, dir.resolve("j"), "jdbc:sqlite:" + dir.resolve("r.db"));

    FerryCli.Result r = cli().run(Duration.ofSeconds(120), "run", "-c", config.toString());

    assertThat(r.exitCode()).isEqualTo(1);
    assertOneErrorLine(r, "ferry run:").contains("password authentication failed for user \"app\"")
        .contains("check the user and password in source.url");
    assertThat(occurrences(r.stderr(), "password authentication failed")).as("printed once: %s", r.stderr())
        .isEqualTo(1);
    assertThat(cli().run(Duration.ofSeconds(120), "run", "--verbose", "-c", config.toString()).stderr())
        .as("--verbose adds the stack trace").contains("\tat ");
  }

  @Test
  void aReplicaDatabaseThatDoesNotExistIsOneLineSayingCreateIt() throws Exception {
    Path config = config(source.url(), dir.resolve("j"), source.cluster().jdbcUrl("nosuch"));

    FerryCli.Result r = cli().run(Duration.ofSeconds(120), "setup", "-c", config.toString());

    assertThat(r.exitCode()).isEqualTo(1);
    assertOneErrorLine(r, "ferry setup:").contains("replica r1").contains("database \"nosuch\" does not exist")
        .contains("create that database");
  }

  @Test
  void aJournalDirectoryFerryMayNotWriteIsNamedWithTheUser() throws Exception {
    Path locked = lockedDirectory();
    Path config = config(source.url(), locked.resolve("journal"), "jdbc:sqlite:" + dir.resolve("r.db"));

    FerryCli.Result r = cli().asUnprivilegedUser().run(Duration.ofSeconds(120), "run", "-c", config.toString());

    assertThat(r.exitCode()).isEqualTo(1);
    assertOneErrorLine(r, "ferry run:").contains("journal.dir " + locked.resolve("journal"))
        .contains("permission denied").contains("make " + locked + " writable");
    assertThat(cli().asUnprivilegedUser().run(Duration.ofSeconds(120), "run", "-v", "-c", config.toString()).stderr())
        .as("--verbose adds the stack trace").contains("\tat ");
  }

  @Test
  void aSqliteSourceInADirectoryFerryMayNotWriteIsNamed() throws Exception {
    Path locked = lockedDirectory();
    Path database = locked.resolve("source.db");
    try (Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + database);
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT)");
    }
    Files.setPosixFilePermissions(database, PosixFilePermissions.fromString("rw-rw-rw-"));
    Path open = Files.createDirectory(dir.resolve("open"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path config = config("jdbc:sqlite:" + database, open.resolve("j"), "jdbc:sqlite:" + open.resolve("r.db"));

    for (String command : List.of("setup", "run")) {
      FerryCli.Result r = cli().asUnprivilegedUser().run(Duration.ofSeconds(120), command, "-c", config.toString());

      assertThat(r.exitCode()).as(command).isEqualTo(1);
      assertOneErrorLine(r, "ferry " + command + ":").contains("source.url " + database)
          .contains("cannot create files in " + locked).contains("make " + locked + " writable");
    }
  }

  private FerryCli cli() {
    return new FerryCli(dir);
  }

  /** A directory only its owner (root, or the test's user with its write bit removed) may write. */
  private Path lockedDirectory() throws Exception {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path locked = Files.createDirectory(dir.resolve("locked"));
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString(
        "root".equals(System.getProperty("user.name")) ? "rwxr-xr-x" : "r-xr-xr-x"));
    return locked;
  }

  private Path config(String sourceUrl, Path journal, String replicaUrl) throws Exception {
    Path config = FerryYaml.source(sourceUrl, journal).replica("r1", replicaUrl).writeTo(dir.resolve("ferry.yaml"));
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
    return config;
  }

  /**
   * Exactly one line of the command's own on standard error, and no stack trace anywhere; the
   * component's log lines (run) may precede it, but never repeat it.
   */
  static org.assertj.core.api.AbstractStringAssert<?> assertOneErrorLine(FerryCli.Result r, String prefix) {
    List<String> lines = new ArrayList<>(r.stderr().lines().filter(l -> l.startsWith(prefix)).toList());
    assertThat(lines).as("one '%s' line in: %s", prefix, r.all()).hasSize(1);
    assertThat(r.all()).as("no stack trace").doesNotContain("\tat ").doesNotContain("internal error");
    return assertThat(lines.getFirst());
  }

  static int occurrences(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }
}
