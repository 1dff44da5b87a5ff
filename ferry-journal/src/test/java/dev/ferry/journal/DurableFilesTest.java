package dev.ferry.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testkit.JavaProcess;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class DurableFilesTest {
  @TempDir
  Path dir;

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private List<String> names() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void writesANewFileAndLeavesNoTemporaryFile() throws IOException {
    Path file = dir.resolve("state");
    DurableFiles.write(file, utf8("one\n"));
    assertThat(read(file)).isEqualTo("one\n");
    assertThat(names()).containsExactly("state");
  }

  @Test
  void replacesTheWholeContentOfAnExistingFile() throws IOException {
    Path file = dir.resolve("state");
    DurableFiles.write(file, utf8("a much longer first content\n"));
    DurableFiles.write(file, utf8("short\n"));
    assertThat(read(file)).isEqualTo("short\n");
    assertThat(names()).containsExactly("state");
  }

  @Test
  void writesAStreamThroughItsBuffer() throws IOException {
    Path file = dir.resolve("big");
    byte[] block = new byte[100_000];
    DurableFiles.writeStream(file, out -> {
      for (int i = 0; i < 3; i++) {
        out.write(block);
      }
    });
    assertThat(Files.size(file)).isEqualTo(300_000);
  }

  @Test
  void contentThatFailsLeavesTheOldFileIntactAndNoTemporaryFile() throws IOException {
    Path file = dir.resolve("state");
    DurableFiles.write(file, utf8("old\n"));
    SQLException failure = new SQLException("source went away", "08006");
    assertThatThrownBy(() -> DurableFiles.writeStream(file, out -> {
      out.write(utf8("half of the n"));
      throw failure;
    })).isSameAs(failure);
    assertThat(read(file)).isEqualTo("old\n");
    assertThat(names()).containsExactly("state");
  }

  @Test
  void channelContentThatFailsWithAnIoErrorLeavesNoFile() {
    Path file = dir.resolve("state");
    assertThatThrownBy(() -> DurableFiles.write(file, channel -> {
      channel.write(ByteBuffer.wrap(utf8("partial")));
      throw new IOException("disk full");
    })).isInstanceOf(IOException.class).hasMessage("disk full");
    assertThat(file).doesNotExist();
    assertThat(DurableFiles.tempFileOf(file)).doesNotExist();
  }

  @Test
  @Timeout(60)
  void aCrashBeforeTheRenameLeavesTheOldFileIntact() throws Exception {
    Path file = dir.resolve("journal-state");
    DurableFiles.write(file, utf8("old content\n"));
    try (JavaProcess writer = JavaProcess.start(DurableCrashMain.class, List.of("-Xmx64m"), file.toString(),
        "the new content that never lands\n")) {
      assertThat(writer.awaitExit(Duration.ofSeconds(45))).as("halted; output:%n%s", writer.output()).isEqualTo(9);
      assertThat(writer.output()).contains("HALF WRITTEN");
    }
    assertThat(read(file)).isEqualTo("old content\n");
    assertThat(read(DurableFiles.tempFileOf(file))).as("the torn temporary file a crash leaves")
        .isEqualTo("the new content ");
    DurableFiles.write(file, utf8("next\n"));
    assertThat(read(file)).as("a later write reuses the left-over temporary file").isEqualTo("next\n");
    assertThat(names()).containsExactly("journal-state");
  }

  @Test
  void copiesAFileIntoAnotherDirectory() throws IOException {
    Path source = dir.resolve("segment");
    Files.write(source, new byte[70_000]);
    Path archive = Files.createDirectory(dir.resolve("archive"));
    DurableFiles.copy(source, archive.resolve("segment"));
    assertThat(Files.mismatch(source, archive.resolve("segment"))).isEqualTo(-1);
    try (Stream<Path> files = Files.list(archive)) {
      assertThat(files.toList()).hasSize(1);
    }
  }

  @Test
  void renamesOverAnExistingFile() throws IOException {
    Path from = dir.resolve("a.open");
    Path to = dir.resolve("a.seg");
    Files.writeString(from, "new");
    Files.writeString(to, "old");
    DurableFiles.rename(from, to);
    assertThat(read(to)).isEqualTo("new");
    assertThat(from).doesNotExist();
  }
}
