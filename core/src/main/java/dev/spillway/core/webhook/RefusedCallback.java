package dev.spillway.core.webhook;

/** A callback URL Spillway will not call, and why, in words a client can act on. */
public class RefusedCallback extends Exception {

    private final String code;

    public RefusedCallback(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    /** Machine-readable reason, e.g. {@code callback_address_not_allowed}. */
    public String code() {
        return code;
    }
}
