package dev.ferry.journal;

import java.nio.file.Path;

/**
 * Reads (or verifies) a journal in a JVM of its own, for tests that need a small heap: exits 0
 * when every record was read, 3 on a {@link JournalCorruptionException} (printed), 4 when
 * {@code verify} reports problems (printed); anything else (an out-of-memory error) ends the JVM
 * with another status.
 */
public final class ReadJournalMain {
  private ReadJournalMain() {
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[1]);
    if (args[0].equals("verify")) {
      JournalVerifier.Report report = JournalVerifier.verify(dir);
      report.problems().forEach(p -> System.out.println("problem: " + p));
      System.exit(report.ok() ? 0 : 4);
    }
    try {
      System.out.println("read " + Journals.readAll(dir).size() + " transactions");
    } catch (JournalCorruptionException e) {
      System.out.println("corruption: " + e.getMessage());
      System.exit(3);
    }
  }
}
