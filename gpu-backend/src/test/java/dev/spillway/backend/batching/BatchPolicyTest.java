package dev.spillway.backend.batching;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class BatchPolicyTest {

    private static final Duration NO_WAIT = Duration.ZERO;

    @Test
    void forModel_withoutAConfiguredWait_takesTheEnginesOwn() {
        BatchingConfig config = settings(Optional.empty(), Map.of());

        assertThat(BatchPolicy.forModel(config, "llama", 256, BatchPolicy.LOCKSTEP_WAIT).maxWait())
                .isEqualTo(Duration.ofMillis(5));
        assertThat(BatchPolicy.forModel(config, "deepseek-chat", 256, NO_WAIT).maxWait()).isZero();
    }

    @Test
    void forModel_withAGlobalWait_usesItForEveryEngine() {
        BatchingConfig config = settings(Optional.of(Duration.ofMillis(2)), Map.of());

        assertThat(BatchPolicy.forModel(config, "llama", 256, BatchPolicy.LOCKSTEP_WAIT).maxWait())
                .isEqualTo(Duration.ofMillis(2));
        assertThat(BatchPolicy.forModel(config, "deepseek-chat", 256, NO_WAIT).maxWait())
                .isEqualTo(Duration.ofMillis(2));
    }

    @Test
    void forModel_withAModelOverride_letsItWinOverTheGlobalAndTheEngineWait() {
        BatchingConfig config = settings(Optional.of(Duration.ofMillis(2)),
                Map.of("deepseek-chat", override(Optional.of(3), Optional.of(Duration.ofMillis(7)))));

        BatchPolicy overridden = BatchPolicy.forModel(config, "deepseek-chat", 256, NO_WAIT);
        BatchPolicy other = BatchPolicy.forModel(config, "llama", 256, BatchPolicy.LOCKSTEP_WAIT);

        assertThat(overridden.maxWait()).isEqualTo(Duration.ofMillis(7));
        assertThat(overridden.maxBatchSize()).isEqualTo(3);
        assertThat(overridden.maxBatchTokens()).isEqualTo(16384);
        assertThat(other.maxWait()).isEqualTo(Duration.ofMillis(2));
        assertThat(other.maxBatchSize()).isEqualTo(8);
    }

    private static BatchingConfig settings(Optional<Duration> maxWait, Map<String, BatchingConfig.ModelOverride> models) {
        return new BatchingConfig() {
            @Override
            public int maxBatchSize() {
                return 8;
            }

            @Override
            public int maxBatchTokens() {
                return 16384;
            }

            @Override
            public Optional<Duration> maxWait() {
                return maxWait;
            }

            @Override
            public Map<String, ModelOverride> model() {
                return models;
            }

            @Override
            public Adaptive adaptive() {
                throw new UnsupportedOperationException("not used by batch policies");
            }
        };
    }

    private static BatchingConfig.ModelOverride override(Optional<Integer> maxBatchSize, Optional<Duration> maxWait) {
        return new BatchingConfig.ModelOverride() {
            @Override
            public Optional<Integer> maxBatchSize() {
                return maxBatchSize;
            }

            @Override
            public Optional<Integer> maxBatchTokens() {
                return Optional.empty();
            }

            @Override
            public Optional<Duration> maxWait() {
                return maxWait;
            }
        };
    }
}
