package dev.spillway.capacity.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.spillway.capacity.sim.Usage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PriceTableTest {

    private static final Usage TEN_GPU_HOURS = new Usage("g6.xlarge", 10, 1_000_000, 2_000_000, 3_000_000,
            3_000_000, 1_000_000, 0, 0);

    @Test
    void defaultTable_pricesEachItem() {
        Cost cost = PriceTable.defaults().cost(TEN_GPU_HOURS);

        assertThat(cost.items().get("GPU instances (g6.xlarge)")).isCloseTo(8.048, offset(1e-9));
        assertThat(cost.items().get("intake Lambda (GB-seconds and requests)"))
                .isCloseTo(1_000_000 * 0.0000166667 + 2 * 0.20, offset(1e-9));
        assertThat(cost.total()).isCloseTo(8.048 + 16.6667 + 0.4 + 2.0 + 1.2 + 1.875 + 0.125, offset(1e-3));
    }

    @Test
    void editedTable_isWhatIsCharged_andAMissingPriceIsNamed(@TempDir final Path dir) throws IOException {
        Path prices = dir.resolve("mine.properties");
        Files.writeString(prices, "gpu-hour.g6.xlarge = 0.40\nlambda.gb-second = 0\n");

        PriceTable table = PriceTable.read(prices);

        assertThat(table.gpuHour("g6.xlarge")).isEqualTo(0.40);
        assertThatThrownBy(() -> table.cost(TEN_GPU_HOURS))
                .hasMessage("no price 'lambda.million-requests' in " + prices
                        + ": add a line 'lambda.million-requests = <US dollars>'");
    }
}
