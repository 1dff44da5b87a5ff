package dev.ferry.testkit;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Removal of the temp files and directories the fixtures create. */
public final class TempFiles {
  private TempFiles() {}

  /** Deletes {@code root} and everything under it; a missing root is fine. */
  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        deleteIfPresent(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw e;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        deleteIfPresent(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  // A server shutting down may still remove its own files (socket, pid) while we walk.
  private static void deleteIfPresent(Path p) throws IOException {
    Files.deleteIfExists(p);
  }
}
