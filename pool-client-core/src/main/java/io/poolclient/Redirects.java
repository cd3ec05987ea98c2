package io.poolclient;

/** Whether a mount follows HTTP redirects (the {@code redirects} setting). */
public enum Redirects {
    /** Follow 301, 302, 303, 307 and 308 up to {@code max-redirects}. */
    FOLLOW,
    /** Return the redirect response to the caller as it is. */
    DONT_FOLLOW
}
