package dev.spillway.infra;

import java.util.List;
import java.util.Map;

import software.amazon.awscdk.assertions.Match;

/** Template matchers for IAM policies. */
public final class IamMatchers {

    private IamMatchers() {
    }

    /** An {@code AWS::IAM::Policy} with a statement granting an action matching the regexp on {@code "*"}. */
    public static Object statementOnEveryResource(final String actionRegexp) {
        return Match.objectLike(Map.of("Properties", Match.objectLike(Map.of(
                "PolicyDocument", Match.objectLike(Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Action", Match.arrayWith(List.of(Match.stringLikeRegexp(actionRegexp))),
                        "Resource", "*"))))))))));
    }
}
