package dev.spillway.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A fleet's worker processes follow the minimum pre-scaling sets, within the base and the local maximum. */
class FleetWorkersTest {

    private final List<Process> started = new CopyOnWriteArrayList<>();

    private WorkerSupervisor startStandIn() {
        return WorkerSupervisor.start(() -> {
            try {
                Process process = new ProcessBuilder("sleep", "300").start();
                started.add(process);
                return WorkerProcess.of(process);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, new RestartBackoff(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(60)), Clock.systemUTC());
    }

    @AfterEach
    void killStandIns() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void setMinimum_startsWorkersUpToTheMaximum_andDrainsThemWhenItFalls() {
        // GIVEN a fleet of 1 worker that may grow to 3
        try (FleetWorkers fleet = new FleetWorkers("qwen", this::startStandIn, 1, 3).start()) {
            assertThat(fleet.running()).isEqualTo(1);

            // WHEN pre-scaling raises its minimum to 5
            int kept = fleet.setMinimum(5);

            // THEN it runs 3 live worker processes, never more than its maximum
            assertThat(kept).isEqualTo(3);
            assertThat(fleet.running()).isEqualTo(3);
            assertThat(started).hasSize(3).allMatch(Process::isAlive);

            // WHEN the minimum falls back to 0
            fleet.setMinimum(0);

            // THEN the base worker stays and the two added ones were drained (their processes ended)
            assertThat(fleet.running()).isEqualTo(1);
            assertThat(started.get(0).isAlive()).isTrue();
            assertThat(started.subList(1, 3)).noneMatch(Process::isAlive);
        }
    }

    @Test
    void aMaximumBelowTheBase_isRefused() {
        assertThatThrownBy(() -> new FleetWorkers("qwen", this::startStandIn, 2, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void maxWorkers_defaultsToOneMoreThanTheWorkers_andCannotBeBelowThem() {
        assertThat(LocalStack.maxWorkers(java.util.Map.of(), 1)).isEqualTo(2);
        assertThat(LocalStack.maxWorkers(java.util.Map.of("SPILLWAY_MAX_WORKERS", "4"), 2)).isEqualTo(4);
        assertThatThrownBy(() -> LocalStack.maxWorkers(java.util.Map.of("SPILLWAY_MAX_WORKERS", "1"), 2))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
