package dev.spillway.local.dynamo.value;

import java.math.BigDecimal;

/** DynamoDB's number rules: up to 38 significant digits, magnitudes from 1E-130 to below 1E+126. */
public final class Numbers {

    private static final BigDecimal MAX = new BigDecimal("1E+126");
    private static final BigDecimal MIN = new BigDecimal("1E-130");

    private Numbers() {
    }

    static BigDecimal normalise(BigDecimal value) {
        BigDecimal stripped = value.stripTrailingZeros();
        return stripped.signum() == 0 ? BigDecimal.ZERO : stripped;
    }

    /**
     * Parses a number as it came on the wire.
     *
     * @throws DynamoException a ValidationException with DynamoDB's wording when it is not a number or out of range
     */
    public static BigDecimal parse(String text) {
        BigDecimal value;
        try {
            value = new BigDecimal(text.strip());
        } catch (NumberFormatException e) {
            throw DynamoException.validation(
                    "The parameter cannot be converted to a numeric value" + (text.isEmpty() ? "" : ": " + text));
        }
        check(value);
        return normalise(value);
    }

    /** Checks the range and precision of a computed or parsed number. */
    public static BigDecimal check(BigDecimal value) {
        BigDecimal stripped = value.stripTrailingZeros();
        if (stripped.signum() == 0) {
            return BigDecimal.ZERO;
        }
        if (stripped.precision() > 38) {
            throw DynamoException.validation(
                    "Attempting to store more than 38 significant digits in a Number");
        }
        BigDecimal magnitude = stripped.abs();
        if (magnitude.compareTo(MAX) >= 0) {
            throw DynamoException.validation("Number overflow. Attempting to store a number with magnitude larger "
                    + "than supported range");
        }
        if (magnitude.compareTo(MIN) < 0) {
            throw DynamoException.validation("Number underflow. Attempting to store a number with magnitude smaller "
                    + "than supported range");
        }
        return stripped;
    }
}
