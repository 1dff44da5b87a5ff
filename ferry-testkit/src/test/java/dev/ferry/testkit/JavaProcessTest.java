package dev.ferry.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class JavaProcessTest {

  /** Writes a line every few milliseconds until killed. */
  public static final class Ticker {
    public static void main(String[] args) throws Exception {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("shutdown hook ran")));
      Path out = Path.of(args[0]);
      for (long i = 0; ; i++) {
        Files.writeString(out, i + "\n", java.nio.file.StandardOpenOption.APPEND);
        System.out.println("tick " + i);
        Thread.sleep(5);
      }
    }
  }

  @Test
  void killsTheChildJvmWithSigkillAtOnce() throws Exception {
    Path ticks = Files.createTempFile("ticks", ".txt");
    try (JavaProcess child = JavaProcess.start(Ticker.class, List.of("-Xmx64m"), ticks.toString())) {
      while (Files.readAllLines(ticks).size() < 5) {
        Thread.sleep(10);
      }
      long pid = child.pid();
      child.kill9();
      assertThat(child.isAlive()).isFalse();
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      assertThat(child.awaitExit(Duration.ofSeconds(1))).isEqualTo(137);
      assertThat(child.output()).contains("tick 0").doesNotContain("shutdown hook ran");
      int seen = Files.readAllLines(ticks).size();
      Thread.sleep(100);
      assertThat(Files.readAllLines(ticks)).hasSize(seen);
    } finally {
      Files.deleteIfExists(ticks);
    }
  }

  @Test
  void terminateRunsShutdownHooks() throws Exception {
    Path ticks = Files.createTempFile("ticks", ".txt");
    try (JavaProcess child = JavaProcess.start(Ticker.class, List.of(), ticks.toString())) {
      while (Files.readAllLines(ticks).isEmpty()) {
        Thread.sleep(10);
      }
      assertThat(child.terminate(Duration.ofSeconds(20))).isEqualTo(143);
      assertThat(child.output()).contains("shutdown hook ran");
    } finally {
      Files.deleteIfExists(ticks);
    }
  }
}
