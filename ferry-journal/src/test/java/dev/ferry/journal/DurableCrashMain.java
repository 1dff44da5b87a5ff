package dev.ferry.journal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Starts a durable write of {@code args[1]} over {@code args[0]} and halts the JVM (no shutdown
 * hooks, no closing) after half of the new bytes reached the temporary file: a crash before the
 * rename. Run by {@link DurableFilesTest}.
 */
public final class DurableCrashMain {
  private DurableCrashMain() {
  }

  public static void main(String[] args) throws Exception {
    byte[] content = args[1].getBytes(StandardCharsets.UTF_8);
    DurableFiles.write(Path.of(args[0]), channel -> {
      channel.write(ByteBuffer.wrap(content, 0, content.length / 2));
      channel.force(true);
      System.out.println("HALF WRITTEN");
      System.out.flush();
      Runtime.getRuntime().halt(9);
    });
  }
}
