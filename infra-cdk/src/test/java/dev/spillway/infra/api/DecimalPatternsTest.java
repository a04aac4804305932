package dev.spillway.infra.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

class DecimalPatternsTest {

    @Test
    void greaterThan_matchesExactlyTheLargerNumbers_aroundEveryDigitBoundary() {
        for (long limit : List.of(0L, 9L, 10L, 99L, 262_144L, 5_242_880L, 999_999L)) {
            Pattern pattern = Pattern.compile(DecimalPatterns.greaterThan(limit));
            for (long n = Math.max(0, limit - 1_500); n <= limit + 1_500; n++) {
                assertThat(pattern.matcher(Long.toString(n)).matches()).as("%d > %d", n, limit).isEqualTo(n > limit);
            }
            for (long n = 1; n < 100_000_000_000L; n *= 7) {
                assertThat(pattern.matcher(Long.toString(n)).matches()).as("%d > %d", n, limit).isEqualTo(n > limit);
            }
        }
    }

    @Test
    void greaterThan_acceptsLeadingZerosAndRefusesWhatIsNotANumber() {
        Pattern pattern = Pattern.compile(DecimalPatterns.greaterThan(262_144));

        assertThat(pattern.matcher("000262145").matches()).isTrue();
        assertThat(pattern.matcher("000262144").matches()).isFalse();
        assertThat(pattern.matcher("").matches()).isFalse();
        assertThat(pattern.matcher("26214x5").matches()).isFalse();
        assertThat(pattern.matcher("-300000").matches()).isFalse();
    }

    @Test
    void greaterThan_staysWithinWhatWafAccepts() {
        String pattern = DecimalPatterns.greaterThan(5_242_880);

        assertThat(pattern.length()).isLessThanOrEqualTo(512);
        assertThat(pattern).doesNotContain("(?", "\\d");
    }
}
