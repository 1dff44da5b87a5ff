package dev.ferry.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real headless Chromium, as a separate process: loads a page, lets its scripts run for a while
 * of virtual time (their timers and fetches), then prints the DOM or writes a screenshot. Found as
 * {@code $FERRY_CHROMIUM} or {@code chromium} on the PATH (Debian's package; {@code .ci/run}
 * installs it).
 */
final class Chromium {
  private final Path binary;
  private final Path profile;

  private Chromium(Path binary, Path profile) {
    this.binary = binary;
    this.profile = profile;
  }

  /** @param dir a directory for the browser's profile (the test's temporary directory) */
  static Chromium find(Path dir) throws IOException {
    String configured = System.getenv("FERRY_CHROMIUM");
    Path found = configured != null && !configured.isBlank() ? Path.of(configured) : onPath("chromium");
    if (found == null || !Files.isExecutable(found)) {
      throw new IllegalStateException("no Chromium to test the dashboard with: install Debian's package"
          + " (apt-get install -y chromium, as .ci/run does) or set FERRY_CHROMIUM to the browser's binary");
    }
    return new Chromium(found, Files.createDirectories(dir.resolve("chromium-profile")));
  }

  private static Path onPath(String name) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path p = Path.of(d.isEmpty() ? "." : d, name);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /** The page's DOM after {@code budget} of virtual time. */
  String dom(String url, Duration budget) throws IOException, InterruptedException {
    return run(url, budget, "--dump-dom");
  }

  /** Writes a PNG of the page, {@code width}×{@code height}, after {@code budget} of virtual time. */
  void screenshot(String url, Duration budget, Path png, int width, int height)
      throws IOException, InterruptedException {
    Files.createDirectories(png.toAbsolutePath().getParent());
    run(url, budget, "--screenshot=" + png.toAbsolutePath(), "--window-size=" + width + "," + height,
        "--hide-scrollbars");
    if (!Files.isRegularFile(png) || Files.size(png) == 0) {
      throw new IllegalStateException("Chromium wrote no screenshot to " + png);
    }
  }

  private String run(String url, Duration budget, String... action) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=" + profile,
        "--virtual-time-budget=" + budget.toMillis()));
    command.addAll(List.of(action));
    command.add(url);
    Path err = Files.createTempFile(profile, "chromium", ".err");
    Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("Chromium did not finish within 120 s: " + command);
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException("Chromium exited " + p.exitValue() + ": " + Files.readString(err));
    }
    return new String(out, StandardCharsets.UTF_8);
  }
}
