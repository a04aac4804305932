package dev.spillway.infra.api;

import java.util.ArrayList;
import java.util.List;

/**
 * Regular expressions over decimal numbers, for rules that can only match text: AWS WAF compares a header's value
 * as a string, so "{@code Content-Length} above N" has to be spelled as a pattern.
 */
public final class DecimalPatterns {

    private DecimalPatterns() {
    }

    /**
     * A pattern matching exactly the decimal integers (leading zeros allowed) greater than {@code limit}: every
     * number with more digits, or with as many digits and a larger digit at the first place they differ. Only
     * plain groups, classes and counted repeats, which WAF's regex engine accepts.
     */
    public static String greaterThan(final long limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        String digits = Long.toString(limit);
        int length = digits.length();
        List<String> branches = new ArrayList<>();
        branches.add("[1-9][0-9]{" + length + ",}");
        for (int place = 0; place < length; place++) {
            int digit = digits.charAt(place) - '0';
            if (digit == 9) {
                continue;
            }
            int rest = length - place - 1;
            branches.add(digits.substring(0, place) + "[" + (digit + 1) + "-9]" + (rest > 0 ? "[0-9]{" + rest + "}" : ""));
        }
        return "^0*(" + String.join("|", branches) + ")$";
    }
}
