package dev.ferry.node.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.Tag;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicaControlFileTest {
  @TempDir Path dir;

  @Test
  void noFileMeansNotSuspendedAndNoTagFound() throws IOException {
    assertThat(ReplicaControlFile.read(dir, "r1")).isEqualTo(ReplicaControlFile.Content.NONE);
  }

  @Test
  void suspensionAndAFoundTagRoundTripAndSuspendKeepsTheTag() throws IOException {
    ReplicaControlFile.Found found = new ReplicaControlFile.Found(new Tag("cut"), new Gtid(0, 1, 42));
    ReplicaControlFile.write(dir, "r1", ReplicaControlFile.Content.NONE.withTag(found));
    ReplicaControlFile.setSuspended(dir, "r1", true);
    assertThat(ReplicaControlFile.read(dir, "r1")).isEqualTo(new ReplicaControlFile.Content(true, Optional.of(found)));
    assertThat(ReplicaControlFile.read(dir, "r2")).as("per replica").isEqualTo(ReplicaControlFile.Content.NONE);
    assertThat(ReplicaControlFile.of(dir, "r1")).hasFileName("replica-r1.control");
  }

  @Test
  void aDamagedFileIsReportedWithItsPath() throws IOException {
    Files.writeString(ReplicaControlFile.of(dir, "r1"), "until-tag=cut\nuntil-tag-gtid=nonsense\n");
    assertThatThrownBy(() -> ReplicaControlFile.read(dir, "r1")).isInstanceOf(IOException.class)
        .hasMessageContaining("replica-r1.control is not a replica control file");
  }

  @Test
  void untilIsAGtidOrATagAndAnythingElseIsRefusedSayingWhatItMustBe() {
    assertThat(ApplyControls.Until.parse("0-1-42")).isEqualTo(new ApplyControls.AtGtid(new Gtid(0, 1, 42)));
    assertThat(ApplyControls.Until.parse("tag:cut")).isEqualTo(new ApplyControls.AtTag(new Tag("cut")));
    assertThat(ApplyControls.Until.parse("tag:cut").toString()).isEqualTo("tag:cut");
    assertThatThrownBy(() -> ApplyControls.Until.parse("0-1")).hasMessageContaining("neither a GTID");
    assertThatThrownBy(() -> ApplyControls.Until.parse("tag:a b")).hasMessageContaining("tag name 'a b'");
    assertThatThrownBy(() -> new ApplyControls(Optional.empty(), Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
