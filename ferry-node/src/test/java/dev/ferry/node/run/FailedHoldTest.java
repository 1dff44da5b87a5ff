package dev.ferry.node.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link FailedHold}: an operator's action runs only while the failed runner waits, the runner goes
 * on only once an action succeeded, and never while the action runs; a stop ends the wait.
 */
@Timeout(30)
class FailedHoldTest {
  private final FailedHold hold = new FailedHold();

  @Test
  void refusesAnActionWhenTheRunnerIsNotWaiting() {
    assertThatThrownBy(() -> hold.whileWaiting(() -> false, () -> "done"))
        .isInstanceOf(FailedHold.NotWaitingException.class);
  }

  @Test
  void theRunnerGoesOnOnlyAfterASuccessfulActionAndNotWhileItRuns() throws Exception {
    CompletableFuture<Boolean> runner = CompletableFuture.supplyAsync(() -> hold.await(() -> false));
    assertThatThrownBy(() -> hold.whileWaiting(() -> true, () -> {
      throw new IOException("refused");
    })).hasMessage("refused");
    assertThat(runner).as("a failed action lets the runner wait on").isNotDone();
    AtomicBoolean wentOnDuringAction = new AtomicBoolean();
    String result = hold.whileWaiting(() -> true, () -> {
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      wentOnDuringAction.set(runner.isDone());
      return "skipped";
    });
    assertThat(result).isEqualTo("skipped");
    assertThat(runner.get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(wentOnDuringAction).isFalse();
    assertThatThrownBy(() -> hold.whileWaiting(() -> false, () -> "again"))
        .as("the runner went on: no second action").isInstanceOf(FailedHold.NotWaitingException.class);
  }

  @Test
  void aStopEndsTheWait() throws Exception {
    AtomicBoolean stopping = new AtomicBoolean();
    CompletableFuture<Boolean> runner = CompletableFuture.supplyAsync(() -> hold.await(stopping::get));
    stopping.set(true);
    assertThat(runner.get(10, TimeUnit.SECONDS)).isFalse();
  }
}
