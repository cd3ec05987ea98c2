package io.poolclient.internal.proxy;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Parses IPv4 and IPv6 address literals without ever asking DNS. */
final class IpLiteral {

    private IpLiteral() {
    }

    /**
     * The address bytes (4 for IPv4, 16 for IPv6) of {@code text}, or {@code null} if it is not an address
     * literal. IPv6 may be given with or without brackets and with a zone ({@code fe80::1%eth0}, ignored).
     */
    static byte[] parse(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        String s = text;
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        if (s.indexOf(':') >= 0) {
            int zone = s.indexOf('%');
            if (zone >= 0) {
                s = s.substring(0, zone);
            }
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                    return null;
                }
            }
            try {
                // in brackets the JDK parses a literal or fails; it never resolves a name
                return InetAddress.getByName("[" + s + "]").getAddress();
            } catch (UnknownHostException | IllegalArgumentException e) {
                return null;
            }
        }
        return parseIpv4(s);
    }

    /** Whether {@code text} is an IPv4 or IPv6 literal. */
    static boolean isLiteral(String text) {
        return parse(text) != null;
    }

    private static byte[] parseIpv4(String s) {
        // four dot-separated decimal parts of 1 to 3 digits, each at most 255; scanned in place
        byte[] bytes = new byte[4];
        int part = 0;
        int digits = 0;
        int value = 0;
        for (int i = 0; i <= s.length(); i++) {
            char c = i < s.length() ? s.charAt(i) : '.';
            if (c == '.') {
                if (digits == 0 || value > 255 || part == 4) {
                    return null;
                }
                bytes[part++] = (byte) value;
                digits = 0;
                value = 0;
            }
            else if (c >= '0' && c <= '9' && digits < 3) {
                value = value * 10 + (c - '0');
                digits++;
            }
            else {
                return null;
            }
        }
        return part == 4 ? bytes : null;
    }
}
